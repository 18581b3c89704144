import { describe, expect, it } from 'vitest';
import { call, newApiKey, newUser, PASSWORD, reveal, storeItem } from '../support';

describe('Cache-Control on API responses', () => {
  it('forbids storing a login response, which carries tokens', async () => {
    const user = await newUser();
    const res = await call('/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('forbids storing a new API key and a revealed vault value', async () => {
    const user = await newUser();
    const created = await call(`/api/v1/orgs/${user.orgId}/api-keys`, {
      token: user.token,
      body: { name: 'cache-test', scopes: ['org:read'] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('Cache-Control')).toBe('no-store');
    const { item } = await storeItem(user.token, user.orgId);
    const revealed = await reveal(user.token, user.orgId, item.id);
    expect(revealed.status).toBe(200);
    expect(revealed.headers.get('Cache-Control')).toBe('no-store');
  });

  it('forbids storing reads and problems too, for every kind of caller', async () => {
    const user = await newUser();
    const { key } = await newApiKey(user, user.orgId, ['org:read']);
    const me = await call('/api/v1/auth/me', { token: key });
    expect(me.status).toBe(200);
    expect(me.headers.get('Cache-Control')).toBe('no-store');
    const problem = await call('/api/v1/auth/me');
    expect(problem.status).toBe(401);
    expect(problem.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('CORS', () => {
  it('lets tools on other origins load the OpenAPI document', async () => {
    const preflight = await call('/openapi.json', {
      method: 'OPTIONS',
      headers: { Origin: 'https://editor.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const doc = await call('/openapi.json', { headers: { Origin: 'https://editor.example' } });
    expect(doc.status).toBe(200);
    expect(doc.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});
