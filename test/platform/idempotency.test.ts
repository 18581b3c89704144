import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { housekeeping } from '../../src/cron/housekeeping';
import { createDb } from '../../src/db/client';
import { hmacSha256Hex, sha256Hex } from '../../src/lib/crypto';
import { call, expectProblem, newUser, unique } from '../support';

describe('Idempotency-Key', () => {
  afterEach(() => vi.useRealTimers());

  it('answers 409 while the first request with the key is still in flight', async () => {
    const u = await newUser();
    const key = unique('inflight');
    const body = JSON.stringify({ name: 'Concurrent' });
    const hash = await hmacSha256Hex(env.JWT_SECRET, `POST /api/v1/orgs\n${await sha256Hex(body)}`);
    const now = Date.now();
    await env.DB.prepare(
      'INSERT INTO idempotency_keys (scope, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    )
      .bind(`${u.id}:`, key, hash, now, now + 60_000)
      .run();
    expectProblem(
      await call('/api/v1/orgs', { token: u.token, body, headers: { 'Idempotency-Key': key } }),
      409,
    );
  });

  it('keeps keys apart per caller: the same key from two users runs twice', async () => {
    const a = await newUser();
    const b = await newUser();
    const headers = { 'Idempotency-Key': 'shared-key' };
    const ra = await call('/api/v1/orgs', { token: a.token, body: { name: 'Same' }, headers });
    const rb = await call('/api/v1/orgs', {
      token: b.token,
      body: { name: 'Same', slug: unique('same') },
      headers,
    });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(ra.json.id).not.toBe(rb.json.id);
  });

  it('does not remember failed requests, so a corrected retry with the same key runs', async () => {
    const u = await newUser();
    const headers = { 'Idempotency-Key': unique('retry') };
    expectProblem(await call('/api/v1/orgs', { token: u.token, body: { name: '' }, headers }), 422);
    expect((await call('/api/v1/orgs', { token: u.token, body: { name: 'Fixed' }, headers })).status).toBe(
      201,
    );
  });

  it('forgets keys after 24 hours: housekeeping purges them and the request runs anew', async () => {
    const u = await newUser();
    const headers = { 'Idempotency-Key': unique('expire') };
    const body = { name: unique('Expiring') };
    const first = await call('/api/v1/orgs', { token: u.token, body, headers });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 25 * 3_600_000);
    await housekeeping(createDb(env.DB), Date.now());
    const left = await env.DB.prepare('SELECT count(*) AS n FROM idempotency_keys WHERE key = ?')
      .bind(headers['Idempotency-Key'])
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const login = await call('/api/v1/auth/login', {
      body: { email: u.email, password: 'correct-horse-42' },
    });
    // Run anew rather than replayed: the same slug is now taken.
    const again = await call('/api/v1/orgs', { token: login.json.access_token, body, headers });
    expect(first.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBeNull();
    expect(expectProblem(again, 409).detail).toContain('slug');
  });
});
