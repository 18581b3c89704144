import { describe, expect, it } from 'vitest';
import { pageOf } from '../../src/http/pagination';
import { sha256Hex } from '../../src/lib/crypto';
import { ApiKeySchema, ApiKeyWithSecretSchema } from '../../src/routes/api-keys/schemas';
import {
  activityFor,
  call,
  expectProblem,
  keyStatus,
  keysPath,
  newApiKey,
  newUser,
  ownerWithKey,
} from '../support';

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

describe('create', () => {
  it('returns the raw fmk_ secret once with a masked record that matches the schema', async () => {
    const owner = await newUser();
    const res = await call(keysPath(owner.orgId), {
      token: owner.token,
      body: {
        name: ' CI deploys ',
        description: 'For the pipeline',
        scopes: ['activity:read', 'vault:read'],
      },
    });
    expect(res.status, res.text).toBe(201);
    const body = ApiKeyWithSecretSchema.parse(res.json);
    expect(body.key).toMatch(/^fmk_[A-Za-z0-9_-]{43}$/);
    expect(body.api_key).toMatchObject({
      organization_id: owner.orgId,
      name: 'CI deploys',
      description: 'For the pipeline',
      scopes: ['activity:read', 'vault:read'],
      active: true,
      status: 'active',
      start: body.key.slice(0, 12),
      masked_key: `${body.key.slice(0, 12)}…`,
      created_by: owner.id,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    });
    expect(body.api_key.id).toMatch(/^key_/);
    expect(res.text).not.toContain(await sha256Hex(body.key));
  });

  it('never shows the secret or its hash again in get or list', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const hash = await sha256Hex(key);
    const get = await call(keysPath(orgId, record.id), { token: owner.token });
    const list = await call(keysPath(orgId), { token: owner.token });
    for (const res of [get, list]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain(key.slice(12));
      expect(res.text).not.toContain(hash);
    }
  });

  it('stores an expiry and a description, and records api_key.created in the activity log', async () => {
    const owner = await newUser();
    const expiresAt = inAMinute();
    const res = await call(keysPath(owner.orgId), {
      token: owner.token,
      body: { name: 'short-lived', scopes: ['activity:read'], expires_at: expiresAt },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.api_key.expires_at).toBe(expiresAt);
    expect(await activityFor(owner, owner.orgId, res.json.api_key.id)).toEqual(['api_key.created']);
  });

  it('lists duplicate scopes once', async () => {
    const owner = await newUser();
    const { record } = await newApiKey(owner, owner.orgId, ['activity:read', 'activity:read']);
    expect(record.scopes).toEqual(['activity:read']);
  });

  it('rejects a missing name, no scopes and unknown scopes with per-field errors', async () => {
    const owner = await newUser();
    const problem = expectProblem(
      await call(keysPath(owner.orgId), { token: owner.token, body: { name: '  ', scopes: [] } }),
      422,
    );
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'scopes']);
    const unknown = expectProblem(
      await call(keysPath(owner.orgId), { token: owner.token, body: { name: 'k', scopes: ['root'] } }),
      422,
    );
    expect(unknown.errors).toEqual([expect.objectContaining({ path: 'scopes.0' })]);
  });

  it('rejects an expiry in the past or not in ISO 8601 with a per-field error', async () => {
    const owner = await newUser();
    for (const expires_at of [new Date(Date.now() - 1000).toISOString(), 'tomorrow']) {
      const problem = expectProblem(
        await call(keysPath(owner.orgId), {
          token: owner.token,
          body: { name: 'k', scopes: ['activity:read'], expires_at },
        }),
        422,
      );
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'expires_at' })]);
    }
  });

  it('writes nothing when validation fails', async () => {
    const owner = await newUser();
    await call(keysPath(owner.orgId), { token: owner.token, body: { name: 'k', scopes: [] } });
    const list = await call(keysPath(owner.orgId), { token: owner.token });
    expect(list.json.data).toEqual([]);
  });
});

describe('list', () => {
  it('pages through masked keys newest first with a cursor', async () => {
    const owner = await newUser();
    const names = ['first', 'second', 'third'];
    for (const name of names) await newApiKey(owner, owner.orgId, ['activity:read'], name);

    const page1 = await call(`${keysPath(owner.orgId)}?limit=2`, { token: owner.token });
    expect(page1.status, page1.text).toBe(200);
    const p1 = pageOf(ApiKeySchema).parse(page1.json);
    expect(p1.data.map((k) => k.name)).toEqual(['third', 'second']);
    expect(p1.next_cursor).toEqual(expect.any(String));

    const page2 = await call(`${keysPath(owner.orgId)}?limit=2&cursor=${p1.next_cursor}`, {
      token: owner.token,
    });
    expect(page2.json.data.map((k: { name: string }) => k.name)).toEqual(['first']);
    expect(page2.json.next_cursor).toBeNull();
    for (const k of [...p1.data, ...page2.json.data]) expect(k.masked_key).toMatch(/^fmk_.{8}…$/);
  });

  it('is open to an API key with api_keys:read', async () => {
    const { orgId, key } = await ownerWithKey(['api_keys:read']);
    const res = await call(keysPath(orgId), { token: key });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toHaveLength(1);
  });

  it('rejects a limit out of range with a per-field error', async () => {
    const owner = await newUser();
    for (const limit of ['0', '101', 'ten']) {
      const problem = expectProblem(
        await call(`${keysPath(owner.orgId)}?limit=${limit}`, { token: owner.token }),
        422,
      );
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'limit' })]);
    }
  });

  it('rejects a cursor this API did not issue with 400', async () => {
    const owner = await newUser();
    expectProblem(await call(`${keysPath(owner.orgId)}?cursor=%25%25`, { token: owner.token }), 400);
  });
});

describe('get', () => {
  it('returns the masked key', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const res = await call(keysPath(orgId, record.id), { token: owner.token });
    expect(res.status, res.text).toBe(200);
    expect(ApiKeySchema.parse(res.json)).toEqual(record);
  });

  it('answers 404 for a key that does not exist', async () => {
    const owner = await newUser();
    expectProblem(
      await call(keysPath(owner.orgId, 'key_0000000000000000000000zzzz'), { token: owner.token }),
      404,
    );
  });
});

describe('update', () => {
  it('renames, describes and re-scopes a key and records api_key.updated', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const res = await call(keysPath(orgId, record.id), {
      method: 'PATCH',
      token: owner.token,
      body: { name: 'renamed', description: 'now described', scopes: ['api_keys:read'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(ApiKeySchema.parse(res.json)).toMatchObject({
      name: 'renamed',
      description: 'now described',
      scopes: ['api_keys:read'],
      start: record.start,
    });
    expect(await activityFor(owner, orgId, record.id)).toEqual(['api_key.updated', 'api_key.created']);
  });

  it('clears the description with null and leaves other fields alone', async () => {
    const owner = await newUser();
    const created = await call(keysPath(owner.orgId), {
      token: owner.token,
      body: { name: 'k', description: 'd', scopes: ['activity:read'] },
    });
    const res = await call(keysPath(owner.orgId, created.json.api_key.id), {
      method: 'PATCH',
      token: owner.token,
      body: { description: null },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ name: 'k', description: null, scopes: ['activity:read'] });
  });

  it('new scopes take effect on the next request made with the key', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['api_keys:read']);
    expect((await call(`/api/v1/orgs/${orgId}/activity`, { token: key })).status).toBe(403);
    await call(keysPath(orgId, record.id), {
      method: 'PATCH',
      token: owner.token,
      body: { scopes: ['activity:read'] },
    });
    expect((await call(`/api/v1/orgs/${orgId}/activity`, { token: key })).status).toBe(200);
  });

  it('rejects an empty change, empty scopes and a non-boolean active with per-field errors', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    const patch = (body: unknown) =>
      call(keysPath(orgId, record.id), { method: 'PATCH', token: owner.token, body });
    expect(expectProblem(await patch({}), 422).errors).toEqual([expect.objectContaining({ path: 'json' })]);
    expect(expectProblem(await patch({ scopes: [] }), 422).errors).toEqual([
      expect.objectContaining({ path: 'scopes' }),
    ]);
    expect(expectProblem(await patch({ active: 'no' }), 422).errors).toEqual([
      expect.objectContaining({ path: 'active' }),
    ]);
    expect(expectProblem(await patch({ name: '' }), 422).errors).toEqual([
      expect.objectContaining({ path: 'name' }),
    ]);
  });
});

describe('delete', () => {
  it('answers 204; the key stops working and disappears from get and list', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    expect(await keyStatus(key)).toBe(200);
    const res = await call(keysPath(orgId, record.id), { method: 'DELETE', token: owner.token });
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    expect(await keyStatus(key)).toBe(401);
    expectProblem(await call(keysPath(orgId, record.id), { token: owner.token }), 404);
    expect((await call(keysPath(orgId), { token: owner.token })).json.data).toEqual([]);
    expect(await activityFor(owner, orgId, record.id)).toEqual(['api_key.deleted', 'api_key.created']);
  });

  it('answers 404 when the key is already gone', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    await call(keysPath(orgId, record.id), { method: 'DELETE', token: owner.token });
    expectProblem(await call(keysPath(orgId, record.id), { method: 'DELETE', token: owner.token }), 404);
  });

  it('lets a key with api_keys:write delete itself, after which it is refused', async () => {
    const { orgId, key, record } = await ownerWithKey(['api_keys:write']);
    expect((await call(keysPath(orgId, record.id), { method: 'DELETE', token: key })).status).toBe(204);
    expect(await keyStatus(key)).toBe(401);
  });
});
