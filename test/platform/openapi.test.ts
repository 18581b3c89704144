import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/middleware/authenticate';
import { call } from '../support';

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and passes an external validator with zero errors', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(res.json))).resolves.toBeTruthy();
  });

  it('declares the bearer scheme, the shared problem responses and an operationId on every operation', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const name of ['NotFound', 'Unauthenticated', 'Forbidden', 'ValidationFailed', 'RateLimited']) {
      expect(doc.components.responses[name].content['application/problem+json']).toBeTruthy();
    }
    const ops = Object.values(doc.paths).flatMap((item: any) => Object.values(item)) as any[];
    expect(ops.length).toBeGreaterThan(20);
    const ids = ops.map((op) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('marks exactly the allow-listed /api/v1 routes as public', async () => {
    const doc = (await call('/openapi.json')).json;
    const publicOps: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/api/v1')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        if (Array.isArray(op.security) && op.security.length === 0)
          publicOps.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(publicOps.sort()).toEqual(PUBLIC_ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  const operations = (doc: any) =>
    Object.entries<any>(doc.paths).flatMap(([path, item]) =>
      Object.entries<any>(item).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, op })),
    );
  /** A response's headers, following a $ref to a shared response. */
  const headersOf = (doc: any, response: any) =>
    Object.keys(
      (response.$ref ? doc.components.responses[response.$ref.split('/').pop()] : response).headers ?? {},
    );

  it('declares a licence, and top-level tags with descriptions that cover every operation', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(doc.info.license.name).toBeTruthy();
    const declared = new Map<string, string>(doc.tags.map((t: any) => [t.name, t.description]));
    for (const [name, description] of declared) expect(description, name).toBeTruthy();
    for (const { id, op } of operations(doc)) {
      expect(op.tags?.length, id).toBeGreaterThan(0);
      for (const tag of op.tags) expect(declared.has(tag), `${id}: tag ${tag}`).toBe(true);
    }
  });

  it('gives every operation a 4xx response and declares X-Request-Id on every response', async () => {
    const doc = (await call('/openapi.json')).json;
    for (const { id, op } of operations(doc)) {
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('4')),
        id,
      ).toBe(true);
      for (const [status, response] of Object.entries<any>(op.responses))
        expect(headersOf(doc, response), `${id} ${status}`).toContain('X-Request-Id');
    }
  });

  it('declares Retry-After and RateLimit headers on 429, and Idempotent-Replayed where Idempotency-Key is taken', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(headersOf(doc, doc.components.responses.RateLimited)).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
    );
    const idempotent = operations(doc).filter(({ op }) =>
      op.parameters?.some((p: any) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
    );
    expect(idempotent.length).toBeGreaterThan(3);
    for (const { id, op } of idempotent) {
      const created = Object.entries<any>(op.responses).filter(([s]) => s.startsWith('2'));
      for (const [status, response] of created)
        expect(headersOf(doc, response), `${id} ${status}`).toContain('Idempotent-Replayed');
    }
    const download = operations(doc).find(({ op }) => op.operationId === 'downloadDocument')!;
    expect(headersOf(doc, download.op.responses['200'])).toContain('ETag');
  });

  it('describes every property of the main resources', async () => {
    const doc = (await call('/openapi.json')).json;
    const described = (prop: any): boolean =>
      Boolean(prop.description) ||
      (prop.allOf ?? []).some((p: any) => p.description) ||
      (prop.$ref && Boolean(doc.components.schemas[prop.$ref.split('/').pop()].description));
    const main = [
      'Agent',
      'Ticket',
      'Project',
      'Job',
      'ApiKey',
      'Organization',
      'Member',
      'VaultItem',
      'Problem',
    ];
    for (const name of main) {
      const props = Object.entries<any>(doc.components.schemas[name].properties);
      expect(props.length, name).toBeGreaterThan(3);
      for (const [key, prop] of props) expect(described(prop), `${name}.${key}`).toBe(true);
    }
  });

  it('serves interactive documentation at /docs', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(res.text).toContain('/openapi.json');
  });
});
