import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectProblem, keyStatus, keysPath, newUser, ownerWithKey } from '../support';

afterEach(() => {
  vi.useRealTimers();
});

describe('using a key as a bearer token', () => {
  it('identifies the caller as the API key with its organization and scopes', async () => {
    const { orgId, key, record } = await ownerWithKey(['activity:read']);
    const me = await call('/api/v1/auth/me', { token: key });
    expect(me.status, me.text).toBe(200);
    expect(me.json).toEqual({
      type: 'api_key',
      api_key: { id: record.id, organization_id: orgId, scopes: ['activity:read'] },
    });
  });

  it('reads the activity log with activity:read', async () => {
    const { orgId, key } = await ownerWithKey(['activity:read']);
    const res = await call(`/api/v1/orgs/${orgId}/activity`, { token: key });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((e: { action: string }) => e.action)).toContain('api_key.created');
  });

  it('is refused with 403 where it lacks the scope', async () => {
    const { orgId, key } = await ownerWithKey(['api_keys:read']);
    expectProblem(await call(`/api/v1/orgs/${orgId}/activity`, { token: key }), 403);
  });

  it("answers 404 for another organization's path, as for a missing one", async () => {
    const { key } = await ownerWithKey(['*']);
    const other = await newUser();
    expectProblem(await call(`/api/v1/orgs/${other.orgId}/activity`, { token: key }), 404);
    expectProblem(await call('/api/v1/orgs/org_missing/activity', { token: key }), 404);
  });

  it('is refused with 401 once deactivated, and works again when reactivated', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const patch = (active: boolean) =>
      call(keysPath(orgId, record.id), { method: 'PATCH', token: owner.token, body: { active } });
    expect((await patch(false)).json.status).toBe('inactive');
    expect(expectProblem(await call('/api/v1/auth/me', { token: key }), 401).detail).toMatch(/inactive/);
    await patch(true);
    expect(await keyStatus(key)).toBe(200);
  });

  it('is refused with 401 once the clock passes its expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    const owner = await newUser();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const created = await call(keysPath(owner.orgId), {
      token: owner.token,
      body: { name: 'expiring', scopes: ['activity:read'], expires_at: expiresAt },
    });
    expect(created.status, created.text).toBe(201);
    vi.setSystemTime(Date.parse(expiresAt) - 1);
    expect(await keyStatus(created.json.key)).toBe(200);
    vi.setSystemTime(Date.parse(expiresAt));
    expect(expectProblem(await call('/api/v1/auth/me', { token: created.json.key }), 401).detail).toMatch(
      /expired/,
    );
    const get = await call(keysPath(owner.orgId, created.json.api_key.id), { token: owner.token });
    expect(get.json.status).toBe('expired');
  });

  it('answers 401 for a well-formed key that was never issued', async () => {
    expectProblem(await call('/api/v1/auth/me', { token: `fmk_${'A'.repeat(43)}` }), 401);
  });
});

describe('privilege escalation', () => {
  it('an API key cannot create a key with scopes it does not hold', async () => {
    const { orgId, key } = await ownerWithKey(['api_keys:write', 'activity:read']);
    for (const scopes of [['vault:reveal'], ['*'], ['activity:read', 'vault:read']]) {
      const problem = expectProblem(
        await call(keysPath(orgId), { token: key, body: { name: 'escalate', scopes } }),
        403,
      );
      expect(problem.detail).toMatch(/does not hold/);
    }
    const ok = await call(keysPath(orgId), {
      token: key,
      body: { name: 'narrower', scopes: ['activity:read'] },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.api_key.created_by).toMatch(/^key_/);
  });

  it('an API key cannot widen a key, itself included, beyond its own scopes', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['api_keys:write']);
    const other = await call(keysPath(orgId), {
      token: owner.token,
      body: { name: 'o', scopes: ['activity:read'] },
    });
    for (const id of [record.id, other.json.api_key.id]) {
      expectProblem(
        await call(keysPath(orgId, id), { method: 'PATCH', token: key, body: { scopes: ['*'] } }),
        403,
      );
    }
    const narrowed = await call(keysPath(orgId, record.id), {
      method: 'PATCH',
      token: key,
      body: { scopes: ['api_keys:write'], name: 'same scopes' },
    });
    expect(narrowed.status, narrowed.text).toBe(200);
  });

  it('an API key cannot take over a more powerful key by rotating or rolling it', async () => {
    const { owner, orgId, key } = await ownerWithKey(['api_keys:write']);
    const admin = await call(keysPath(orgId), { token: owner.token, body: { name: 'all', scopes: ['*'] } });
    for (const action of ['rotate', 'roll']) {
      expectProblem(
        await call(keysPath(orgId, admin.json.api_key.id, action), { method: 'POST', token: key }),
        403,
      );
    }
    expect(await keyStatus(admin.json.key)).toBe(200);
  });

  it('a key with every scope may grant any of them', async () => {
    const { orgId, key } = await ownerWithKey(['*']);
    const res = await call(keysPath(orgId), {
      token: key,
      body: { name: 'child', scopes: ['*', 'vault:reveal'] },
    });
    expect(res.status, res.text).toBe(201);
  });
});

describe('idempotent create', () => {
  it('a retry with the same Idempotency-Key and body returns the same key and makes no second one', async () => {
    const owner = await newUser();
    const send = (name: string) =>
      call(keysPath(owner.orgId), {
        token: owner.token,
        headers: { 'Idempotency-Key': 'create-once' },
        body: { name, scopes: ['activity:read'] },
      });
    const first = await send('ci');
    const retry = await send('ci');
    expect(first.status, first.text).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.json).toEqual(first.json);
    const list = await call(keysPath(owner.orgId), { token: owner.token });
    expect(list.json.data).toHaveLength(1);

    expectProblem(await send('another body'), 422);
    expect((await call(keysPath(owner.orgId), { token: owner.token })).json.data).toHaveLength(1);
  });

  it('rejects an Idempotency-Key longer than 255 characters with 400 and creates nothing', async () => {
    const owner = await newUser();
    const res = await call(keysPath(owner.orgId), {
      token: owner.token,
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
      body: { name: 'ci', scopes: ['activity:read'] },
    });
    expectProblem(res, 400);
    expect((await call(keysPath(owner.orgId), { token: owner.token })).json.data).toEqual([]);
  });
});
