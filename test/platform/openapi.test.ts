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

  it('serves interactive documentation at /docs', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(res.text).toContain('/openapi.json');
  });
});
