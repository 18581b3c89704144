import { describe, expect, it } from 'vitest';
import { VaultItemSchema, VaultItemSummarySchema } from '../../src/routes/vault/schemas';
import {
  call,
  countRows,
  expectProblem,
  itemActivity,
  itemsPath,
  keyWith,
  MISSING_ITEM_ID,
  memberOf,
  newUser,
  reveal,
  secretValue,
  storeItem,
  unique,
} from '../support';

describe('store a vault item', () => {
  it('answers 201 with the metadata and a first version, never the value', async () => {
    const owner = await newUser();
    const value = secretValue();
    const res = await call(itemsPath(owner.orgId), {
      token: owner.token,
      body: { name: 'openai.api_key', description: 'Production key', value },
    });
    expect(res.status, res.text).toBe(201);
    const item = VaultItemSchema.strict().parse(res.json);
    expect(item).toMatchObject({
      name: 'openai.api_key',
      description: 'Production key',
      current_version: 1,
      created_by: owner.id,
      versions: [{ version: 1, expires_at: null }],
    });
    expect(item.id).toMatch(/^vlt_/);
    expect(res.text).not.toContain(value);
    expect(await itemActivity(owner, owner.orgId, item.id)).toEqual([
      expect.objectContaining({
        action: 'vault.item_created',
        actor: { type: 'user', id: owner.id },
        metadata: { name: 'openai.api_key', version: 1 },
      }),
    ]);
  });

  it('refuses bad input with per-field 422 problems and writes nothing, not even a data key', async () => {
    const owner = await newUser();
    const bad = [
      [{ name: 'has space', value: 'x' }, 'name'],
      [{ name: '', value: 'x' }, 'name'],
      [{ name: 'a'.repeat(129), value: 'x' }, 'name'],
      [{ name: 'ok' }, 'value'],
      [{ name: 'ok', value: '' }, 'value'],
      [{ name: 'ok', value: 42 }, 'value'],
      // 32,769 two-byte characters: under 64 Ki characters but over 64 KiB of UTF-8.
      [{ name: 'ok', value: 'é'.repeat(32_769) }, 'value'],
      [{ name: 'ok', value: 'x', description: 'd'.repeat(1001) }, 'description'],
    ] as const;
    for (const [body, field] of bad) {
      const problem = expectProblem(await call(itemsPath(owner.orgId), { token: owner.token, body }), 422);
      expect(problem.errors).toEqual([expect.objectContaining({ path: field })]);
    }
    expect(await countRows('vault_items WHERE org_id = ?', owner.orgId)).toBe(0);
    expect(await countRows('vault_data_keys WHERE org_id = ?', owner.orgId)).toBe(0);
    expect(await countRows("activity_log WHERE org_id = ? AND action LIKE 'vault.%'", owner.orgId)).toBe(0);
  });

  it('accepts a value of exactly 64 KiB', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId, { value: 'v'.repeat(64 * 1024) });
    const revealed = await reveal(owner.token, owner.orgId, item.id);
    expect(revealed.json.value).toHaveLength(64 * 1024);
  });

  it('refuses a name already used in the organization with 409', async () => {
    const owner = await newUser();
    await storeItem(owner.token, owner.orgId, { name: 'dup' });
    const res = await call(itemsPath(owner.orgId), { token: owner.token, body: { name: 'dup', value: 'x' } });
    expectProblem(res, 409);
    expect(await countRows('vault_items WHERE org_id = ?', owner.orgId)).toBe(1);
  });

  it('allows the same name in two organizations', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    const first = await storeItem(a.token, a.orgId, { name: 'shared-name' });
    const second = await storeItem(b.token, b.orgId, { name: 'shared-name' });
    expect([first.item.name, second.item.name]).toEqual(['shared-name', 'shared-name']);
  });

  it('replays a retried store with the same Idempotency-Key instead of storing twice', async () => {
    const owner = await newUser();
    const body = { name: unique('idem'), value: secretValue() };
    const headers = { 'Idempotency-Key': unique('key') };
    const first = await call(itemsPath(owner.orgId), { token: owner.token, body, headers });
    const again = await call(itemsPath(owner.orgId), { token: owner.token, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await countRows('vault_items WHERE org_id = ?', owner.orgId)).toBe(1);
    expect(await itemActivity(owner, owner.orgId, first.json.id)).toHaveLength(1);

    const other = { ...body, value: secretValue() };
    expectProblem(await call(itemsPath(owner.orgId), { token: owner.token, body: other, headers }), 422);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    expectProblem(await call(itemsPath(owner.orgId), { body: { name: 'x', value: 'y' } }), 401);
  });

  it('forbids members and viewers with 403', async () => {
    const owner = await newUser();
    for (const role of ['member', 'viewer'] as const) {
      const user = await memberOf(owner, role);
      const res = await call(itemsPath(owner.orgId), { token: user.token, body: { name: 'x', value: 'y' } });
      expectProblem(res, 403);
    }
    expect(await countRows('vault_items WHERE org_id = ?', owner.orgId)).toBe(0);
  });

  it('lets an admin store, and API keys only with vault:write', async () => {
    const owner = await newUser();
    const admin = await memberOf(owner, 'admin');
    await storeItem(admin.token, owner.orgId);
    await storeItem(await keyWith(owner, 'vault:write'), owner.orgId);
    const readOnly = await keyWith(owner, 'vault:read', 'vault:reveal');
    expectProblem(
      await call(itemsPath(owner.orgId), { token: readOnly, body: { name: 'x', value: 'y' } }),
      403,
    );
  });

  it('answers 404 in an organization the caller does not belong to', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const res = await call(itemsPath(owner.orgId), {
      token: outsider.token,
      body: { name: 'x', value: 'y' },
    });
    expectProblem(res, 404);
    const key = await keyWith(outsider, '*');
    expectProblem(await call(itemsPath(owner.orgId), { token: key, body: { name: 'x', value: 'y' } }), 404);
    expect(await countRows('vault_items WHERE org_id = ?', owner.orgId)).toBe(0);
  });
});

describe('list vault items', () => {
  it('pages through names and metadata in name order, without values', async () => {
    const owner = await newUser();
    const stored = [];
    for (const name of ['charlie', 'alpha', 'bravo'])
      stored.push(await storeItem(owner.token, owner.orgId, { name }));
    const page1 = await call(`${itemsPath(owner.orgId)}?limit=2`, { token: owner.token });
    expect(page1.status, page1.text).toBe(200);
    expect(page1.json.data.map((i: { name: string }) => i.name)).toEqual(['alpha', 'bravo']);
    for (const i of page1.json.data) VaultItemSummarySchema.strict().parse(i);
    expect(page1.json.next_cursor).toEqual(expect.any(String));
    const page2 = await call(`${itemsPath(owner.orgId)}?limit=2&cursor=${page1.json.next_cursor}`, {
      token: owner.token,
    });
    expect(page2.json.data.map((i: { name: string }) => i.name)).toEqual(['charlie']);
    expect(page2.json.next_cursor).toBeNull();
    for (const { value } of stored) {
      expect(page1.text).not.toContain(value);
      expect(page2.text).not.toContain(value);
    }
  });

  it('never shows another organization’s items', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    await storeItem(b.token, b.orgId);
    const res = await call(itemsPath(a.orgId), { token: a.token });
    expect(res.json).toEqual({ data: [], next_cursor: null });
  });

  it('refuses a bad limit with 422', async () => {
    const owner = await newUser();
    expectProblem(await call(`${itemsPath(owner.orgId)}?limit=0`, { token: owner.token }), 422);
    expectProblem(await call(`${itemsPath(owner.orgId)}?limit=101`, { token: owner.token }), 422);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    expectProblem(await call(itemsPath(owner.orgId)), 401);
  });

  it('lets members and vault:read keys list, and forbids viewers and keys without it', async () => {
    const owner = await newUser();
    await storeItem(owner.token, owner.orgId);
    const member = await memberOf(owner, 'member');
    const viewer = await memberOf(owner, 'viewer');
    expect((await call(itemsPath(owner.orgId), { token: member.token })).json.data).toHaveLength(1);
    expect((await call(itemsPath(owner.orgId), { token: await keyWith(owner, 'vault:read') })).status).toBe(
      200,
    );
    expectProblem(await call(itemsPath(owner.orgId), { token: viewer.token }), 403);
    expectProblem(await call(itemsPath(owner.orgId), { token: await keyWith(owner, 'vault:write') }), 403);
  });

  it('answers 404 in an organization the caller does not belong to', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    expectProblem(await call(itemsPath(owner.orgId), { token: outsider.token }), 404);
  });
});

describe('get a vault item', () => {
  it('answers the metadata and versions, never the value', async () => {
    const owner = await newUser();
    const member = await memberOf(owner, 'member');
    const { item, value } = await storeItem(owner.token, owner.orgId, { description: 'd' });
    const res = await call(itemsPath(owner.orgId, item.id), { token: member.token });
    expect(res.status, res.text).toBe(200);
    expect(VaultItemSchema.strict().parse(res.json)).toEqual(item);
    expect(res.text).not.toContain(value);
  });

  it('refuses a malformed item id with 422', async () => {
    const owner = await newUser();
    expectProblem(await call(itemsPath(owner.orgId, 'not-an-id'), { token: owner.token }), 422);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id)), 401);
  });

  it('forbids viewers with 403', async () => {
    const owner = await newUser();
    const viewer = await memberOf(owner, 'viewer');
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id), { token: viewer.token }), 403);
  });

  it('answers another organization’s item exactly like a missing one', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id), { token: outsider.token }), 404);
    const viaOwnOrg = expectProblem(
      await call(itemsPath(outsider.orgId, item.id), { token: outsider.token }),
      404,
    );
    const missing = expectProblem(
      await call(itemsPath(outsider.orgId, MISSING_ITEM_ID), { token: outsider.token }),
      404,
    );
    expect(viaOwnOrg.detail).toBe(missing.detail);
    expect(viaOwnOrg.title).toBe(missing.title);
  });
});

describe('update a vault item', () => {
  it('renames it and changes its description, and records what changed', async () => {
    const owner = await newUser();
    const { item, value } = await storeItem(owner.token, owner.orgId, { description: 'old' });
    const res = await call(itemsPath(owner.orgId, item.id), {
      token: owner.token,
      method: 'PATCH',
      body: { name: 'renamed', description: null },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ id: item.id, name: 'renamed', description: null, current_version: 1 });
    expect(res.text).not.toContain(value);
    const [entry] = await itemActivity(owner, owner.orgId, item.id);
    expect(entry).toMatchObject({
      action: 'vault.item_updated',
      metadata: { name: 'renamed', changed: ['name', 'description'] },
    });
  });

  it('refuses an empty change, a bad name or a value with 422 and changes nothing', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId, { name: 'keep' });
    for (const body of [{}, { name: 'bad name' }, { value: 'sneaky' }, { name: 'x', value: 'sneaky' }]) {
      const res = await call(itemsPath(owner.orgId, item.id), { token: owner.token, method: 'PATCH', body });
      expectProblem(res, 422);
    }
    expect((await call(itemsPath(owner.orgId, item.id), { token: owner.token })).json.name).toBe('keep');
    expect(await itemActivity(owner, owner.orgId, item.id)).toHaveLength(1);
  });

  it('refuses a name another item has with 409', async () => {
    const owner = await newUser();
    await storeItem(owner.token, owner.orgId, { name: 'taken' });
    const { item } = await storeItem(owner.token, owner.orgId);
    const res = await call(itemsPath(owner.orgId, item.id), {
      token: owner.token,
      method: 'PATCH',
      body: { name: 'taken' },
    });
    expectProblem(res, 409);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id), { method: 'PATCH', body: { name: 'n' } }), 401);
  });

  it('forbids members, viewers and vault:read keys with 403', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const tokens = [
      (await memberOf(owner, 'member')).token,
      (await memberOf(owner, 'viewer')).token,
      await keyWith(owner, 'vault:read'),
    ];
    for (const token of tokens) {
      expectProblem(
        await call(itemsPath(owner.orgId, item.id), { token, method: 'PATCH', body: { name: 'n' } }),
        403,
      );
    }
    const ok = await call(itemsPath(owner.orgId, item.id), {
      token: await keyWith(owner, 'vault:write'),
      method: 'PATCH',
      body: { description: 'by key' },
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it('answers another organization’s item with 404 and leaves it alone', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const { item } = await storeItem(owner.token, owner.orgId, { name: 'mine' });
    for (const orgId of [owner.orgId, outsider.orgId]) {
      const res = await call(itemsPath(orgId, item.id), {
        token: outsider.token,
        method: 'PATCH',
        body: { name: 'stolen' },
      });
      expectProblem(res, 404);
    }
    expect((await call(itemsPath(owner.orgId, item.id), { token: owner.token })).json.name).toBe('mine');
  });
});

describe('delete a vault item', () => {
  it('deletes the item with every stored version and records it', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    await call(itemsPath(owner.orgId, item.id, 'rotate'), {
      token: owner.token,
      body: { value: secretValue() },
    });
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(2);

    const res = await call(itemsPath(owner.orgId, item.id), { token: owner.token, method: 'DELETE' });
    expect(res.status, res.text).toBe(204);
    expect(await countRows('vault_items WHERE id = ?', item.id)).toBe(0);
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(0);
    expectProblem(await call(itemsPath(owner.orgId, item.id), { token: owner.token }), 404);
    expect((await itemActivity(owner, owner.orgId, item.id))[0]?.action).toBe('vault.item_deleted');
  });

  it('frees the name for a new item', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId, { name: 'reuse' });
    const deleted = await call(itemsPath(owner.orgId, item.id), { token: owner.token, method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const again = await storeItem(owner.token, owner.orgId, { name: 'reuse' });
    expect(again.item.id).not.toBe(item.id);
  });

  it('refuses a malformed item id with 422', async () => {
    const owner = await newUser();
    expectProblem(
      await call(itemsPath(owner.orgId, 'vlt_short'), { token: owner.token, method: 'DELETE' }),
      422,
    );
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id), { method: 'DELETE' }), 401);
  });

  it('forbids members and viewers with 403 and keeps the item', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    for (const role of ['member', 'viewer'] as const) {
      const user = await memberOf(owner, role);
      expectProblem(
        await call(itemsPath(owner.orgId, item.id), { token: user.token, method: 'DELETE' }),
        403,
      );
    }
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1);
  });

  it('answers another organization’s item with 404 and keeps it', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const { item } = await storeItem(owner.token, owner.orgId);
    for (const orgId of [owner.orgId, outsider.orgId]) {
      expectProblem(await call(itemsPath(orgId, item.id), { token: outsider.token, method: 'DELETE' }), 404);
    }
    expect(await countRows('vault_items WHERE id = ?', item.id)).toBe(1);
  });
});

describe('the vault in the OpenAPI document', () => {
  it('describes every vault operation', async () => {
    const doc = await call('/openapi.json');
    expect(doc.status).toBe(200);
    const ops = Object.entries(doc.json.paths as Record<string, Record<string, { operationId: string }>>)
      .filter(([path]) => path.includes('/vault/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([m, op]) => `${m} ${path} ${op.operationId}`),
      );
    expect(ops.sort()).toEqual([
      'delete /api/v1/orgs/{orgId}/vault/items/{itemId} deleteVaultItem',
      'get /api/v1/orgs/{orgId}/vault/items listVaultItems',
      'get /api/v1/orgs/{orgId}/vault/items/{itemId} getVaultItem',
      'patch /api/v1/orgs/{orgId}/vault/items/{itemId} updateVaultItem',
      'post /api/v1/orgs/{orgId}/vault/items storeVaultItem',
      'post /api/v1/orgs/{orgId}/vault/items/{itemId}/reveal revealVaultItem',
      'post /api/v1/orgs/{orgId}/vault/items/{itemId}/rotate rotateVaultItem',
    ]);
  });
});
