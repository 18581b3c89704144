import { describe, expect, it } from 'vitest';
import {
  call,
  expectProblem,
  itemActivity,
  itemsPath,
  keyWith,
  MISSING_ITEM_ID,
  memberOf,
  newUser,
  reveal,
  storeItem,
} from '../support';

describe('reveal a vault item', () => {
  it('answers the current value to an admin, uncacheable, and records who saw which version', async () => {
    const owner = await newUser();
    const admin = await memberOf(owner, 'admin');
    const { item, value } = await storeItem(owner.token, owner.orgId, { name: 'db.password' });
    const res = await reveal(admin.token, owner.orgId, item.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ id: item.id, name: 'db.password', version: 1, value });
    expect(res.headers.get('Cache-Control')).toBe('no-store');

    const [entry] = await itemActivity(owner, owner.orgId, item.id);
    expect(entry).toMatchObject({
      action: 'vault.item_revealed',
      actor: { type: 'user', id: admin.id },
      metadata: { name: 'db.password', version: 1 },
    });
    expect(JSON.stringify(entry)).not.toContain(value);
  });

  it('accepts an empty JSON body as the current version', async () => {
    const owner = await newUser();
    const { item, value } = await storeItem(owner.token, owner.orgId);
    const res = await call(itemsPath(owner.orgId, item.id, 'reveal'), { token: owner.token, body: {} });
    expect(res.json.value).toBe(value);
  });

  it('lets an API key with vault:reveal reveal, recorded under the key', async () => {
    const owner = await newUser();
    const { item, value } = await storeItem(owner.token, owner.orgId);
    const key = await keyWith(owner, 'vault:reveal');
    const res = await reveal(key, owner.orgId, item.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.value).toBe(value);
    const [entry] = await itemActivity(owner, owner.orgId, item.id);
    expect(entry).toMatchObject({ action: 'vault.item_revealed', actor: { type: 'api_key' } });
  });

  it('forbids members, viewers and keys with only vault:read or vault:write, recording nothing', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const tokens = [
      (await memberOf(owner, 'member')).token,
      (await memberOf(owner, 'viewer')).token,
      await keyWith(owner, 'vault:read', 'vault:write'),
    ];
    for (const token of tokens) expectProblem(await reveal(token, owner.orgId, item.id), 403);
    expect((await itemActivity(owner, owner.orgId, item.id)).map((e) => e.action)).toEqual([
      'vault.item_created',
    ]);
  });

  it('refuses a bad version with 422', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    for (const version of [0, -1, 1.5, 'one']) {
      const res = await call(itemsPath(owner.orgId, item.id, 'reveal'), {
        token: owner.token,
        body: { version },
      });
      expectProblem(res, 422);
    }
    expectProblem(await reveal(owner.token, owner.orgId, 'vlt_bad'), 422);
  });

  it('answers a version that never existed with 404', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await reveal(owner.token, owner.orgId, item.id, 2), 404);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id, 'reveal'), { method: 'POST' }), 401);
  });

  it('answers another organization’s item exactly like a missing one, revealing and recording nothing', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const { item, value } = await storeItem(owner.token, owner.orgId);
    const viaTheirOrg = await reveal(outsider.token, owner.orgId, item.id);
    expectProblem(viaTheirOrg, 404);
    const viaOwnOrg = expectProblem(await reveal(outsider.token, outsider.orgId, item.id), 404);
    const missing = expectProblem(await reveal(outsider.token, outsider.orgId, MISSING_ITEM_ID), 404);
    expect(viaOwnOrg.detail).toBe(missing.detail);
    expect(viaTheirOrg.text).not.toContain(value);
    expect(await itemActivity(owner, owner.orgId, item.id)).toHaveLength(1);
  });
});
