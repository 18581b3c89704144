import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/app';
import { problemResponse } from '../../src/http/problem-response';
import { createRouter } from '../../src/http/router';
import { ApiError } from '../../src/lib/errors';
import { call, captureErrorLog, expectProblem, newUser } from '../support';

describe('problem details everywhere', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const p = expectProblem(await call('/nothing-here'), 404);
    expect(p.instance).toBe('/nothing-here');
    const u = await newUser();
    expectProblem(await call('/api/v1/nothing-here', { token: u.token }), 404);
  });

  it('asks for credentials before revealing whether an /api/v1 route exists', async () => {
    expectProblem(await call('/api/v1/nothing-here'), 401);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await call('/health', { method: 'DELETE' });
    expectProblem(res, 405);
    expect(res.headers.get('Allow')).toBe('GET');
    const u = await newUser();
    const onParam = await call(`/api/v1/orgs/${u.orgId}/teams`, { method: 'PUT', token: u.token });
    expectProblem(onParam, 405);
    expect(onParam.headers.get('Allow')).toBe('GET, POST');
  });

  it('answers malformed JSON with 400', async () => {
    const p = expectProblem(await call('/api/v1/auth/login', { body: '{"email": ' }), 400);
    expect(p.detail).toMatch(/JSON/);
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await call('/api/v1/auth/login', {
      body: 'email=a',
      headers: { 'Content-Type': 'text/plain' },
    });
    expectProblem(res, 415);
  });

  it('answers a missing body with 422 naming the fields', async () => {
    const p = expectProblem(await call('/api/v1/auth/login', { body: {} }), 422);
    expect(p.errors.map((e: any) => e.path).sort()).toEqual(['email', 'password']);
  });

  it('answers a body over the limit with 413', async () => {
    const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(MAX_BODY_BYTES) });
    expectProblem(await call('/api/v1/auth/login', { body: big }), 413);
  });

  it('answers a bad cursor with 400', async () => {
    const u = await newUser();
    expectProblem(await call(`/api/v1/orgs/${u.orgId}/activity?cursor=%%%`, { token: u.token }), 400);
  });

  it('turns an unexpected error into a 500 problem that leaks no internals', async () => {
    const app = createRouter();
    app.use('*', async (c, next) => {
      c.set('requestId', 'req_test');
      return next();
    });
    app.get('/boom', () => {
      throw new Error('secret database detail');
    });
    app.get('/typed', () => {
      throw new ApiError('conflict', 'Already done');
    });
    app.onError((err, c) => problemResponse(c, err));
    const logged = captureErrorLog();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret database detail');
    expect(JSON.parse(text)).toMatchObject({ status: 500, request_id: 'req_test' });
    // Operators find the cause in the log under the request id the caller quotes.
    expect(logged()).toEqual([{ request_id: 'req_test', error: 'Error: secret database detail' }]);
    expect((await app.request('/typed')).status).toBe(409);
  });
});
