/**
 * Writes the OpenAPI document to a file (default dist/openapi.json) so that `npm run lint:openapi`
 * can lint it offline without starting a server. Run with tsx, which loads the TypeScript app:
 * building the document needs no bindings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApp } from '../src/app.ts';
import { buildOpenApiDocument } from '../src/http/openapi-document.ts';

const out = process.argv[2] ?? 'dist/openapi.json';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(createApp()), null, 2)}\n`);
