import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { recordKeyUsage } from '../../src/domain/api-keys/authenticate';
import { call, expectProblem, keysPath, ownerWithKey } from '../support';

/** Usage is written after the response (waitUntil), so it is read back with a short poll. */
async function usageOnceRecorded(owner: { token: string }, orgId: string, keyId: string, count: number) {
  return vi.waitFor(
    async () => {
      const res = await call(keysPath(orgId, keyId, 'usage'), { token: owner.token });
      expect(res.status, res.text).toBe(200);
      expect(res.json.data).toHaveLength(count);
      return res.json;
    },
    { timeout: 5_000, interval: 50 },
  );
}

describe('usage', () => {
  it('records requests made with the key, newest first, with method, path, status and time', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const before = Date.now();
    expect((await call('/api/v1/auth/me', { token: key })).status).toBe(200);
    await usageOnceRecorded(owner, orgId, record.id, 1);
    expect((await call(keysPath(orgId), { token: key })).status).toBe(403);
    const usage = await usageOnceRecorded(owner, orgId, record.id, 2);

    expect(usage.data).toEqual([
      expect.objectContaining({ method: 'GET', path: `/api/v1/orgs/${orgId}/api-keys`, status: 403 }),
      expect.objectContaining({ method: 'GET', path: '/api/v1/auth/me', status: 200 }),
    ]);
    for (const u of usage.data) expect(Date.parse(u.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(usage.last_used_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(usage.next_cursor).toBeNull();
  });

  it('reports a key that was never used with no requests and no last use', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const res = await call(keysPath(orgId, record.id, 'usage'), { token: owner.token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ last_used_at: null, data: [], next_cursor: null });
  });

  it('pages through requests with a cursor', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    for (let i = 0; i < 3; i++) await call('/api/v1/auth/me', { token: key });
    await usageOnceRecorded(owner, orgId, record.id, 3);
    const first = await call(`${keysPath(orgId, record.id, 'usage')}?limit=2`, { token: owner.token });
    expect(first.json.data).toHaveLength(2);
    const rest = await call(
      `${keysPath(orgId, record.id, 'usage')}?limit=2&cursor=${first.json.next_cursor}`,
      {
        token: owner.token,
      },
    );
    expect(rest.json.data).toHaveLength(1);
    expect(rest.json.next_cursor).toBeNull();
    const ids = [...first.json.data, ...rest.json.data].map((u: { id: string }) => u.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('is readable by an API key with api_keys:read, its own use included', async () => {
    const { orgId, key, record } = await ownerWithKey(['api_keys:read']);
    const res = await call(keysPath(orgId, record.id, 'usage'), { token: key });
    expect(res.status, res.text).toBe(200);
  });

  it('rejects a limit out of range with a per-field error', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const problem = expectProblem(
      await call(`${keysPath(orgId, record.id, 'usage')}?limit=500`, { token: owner.token }),
      422,
    );
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
  });

  it('drops the usage of a key deleted before its usage was written, and keeps the others', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const db = createDb(env.DB);
    const use = { orgId, method: 'GET', path: '/api/v1/auth/me', status: 200 };
    await Promise.all([
      recordKeyUsage(db, { ...use, keyId: 'key_deleted_meanwhile' }),
      recordKeyUsage(db, { ...use, keyId: record.id }),
    ]);
    const usage = await usageOnceRecorded(owner, orgId, record.id, 1);
    expect(usage.data).toEqual([expect.objectContaining({ path: '/api/v1/auth/me', status: 200 })]);
  });
});
