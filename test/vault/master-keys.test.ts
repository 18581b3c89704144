import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { housekeeping } from '../../src/cron/housekeeping';
import { vaultDataKeys } from '../../src/db/schema';
import type { Ctx } from '../../src/domain/context';
import { rewrapDataKeys } from '../../src/domain/vault/data-keys';
import { masterKeys } from '../../src/domain/vault/master-keys';
import { deleteSecret, readSecret, rotateSecret, storeSecret } from '../../src/domain/vault/secrets';
import { ApiError } from '../../src/lib/errors';
import { captureErrorLog, countRows, db, newUser, secretValue, storeItem, unique } from '../support';

// This file changes master keys of every data key in its database, which is its own
// (storage is isolated per test file), so other suites never see these keys.

const randomKey = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
/** The key the Worker runs with in tests (see vitest.config.ts), as version 1. */
const v1 = env.VAULT_MASTER_KEYS;
const v2 = `2:${randomKey()}`;
const v3 = `3:${randomKey()}`;
const withKeys = (...specs: string[]) => ({ ...env, VAULT_MASTER_KEYS: specs.join(',') });

async function dataKeyRow(orgId: string) {
  const [row] = await db().select().from(vaultDataKeys).where(eq(vaultDataKeys.orgId, orgId));
  return row!;
}

/** A domain context outside HTTP, as another feature (or a job) would build it. */
const systemCtx = (keys: ReturnType<typeof withKeys>): Ctx => ({
  env: keys,
  db: db(),
  actor: { type: 'system', id: 'test' },
  ip: null,
});

describe('master key rotation', () => {
  it('re-wraps data keys under the newest master key, and values decrypt without the old one', async () => {
    const owner = await newUser();
    const a = await storeItem(owner.token, owner.orgId);
    const b = await storeItem(owner.token, owner.orgId);
    const before = await dataKeyRow(owner.orgId);
    expect(before.masterVersion).toBe(1);
    const ciphertextBefore = await env.DB.prepare(
      'SELECT ciphertext FROM vault_item_versions WHERE item_id = ?',
    )
      .bind(a.item.id)
      .first('ciphertext');

    const result = await rewrapDataKeys({ env: withKeys(v1, v2), db: db() });
    expect(result.masterVersion).toBe(2);
    expect(result.rewrapped).toBeGreaterThanOrEqual(1);
    const after = await dataKeyRow(owner.orgId);
    expect(after.masterVersion).toBe(2);
    expect(after.wrappedKey).not.toBe(before.wrappedKey);
    // Items are not re-encrypted: only the data key's wrapping changed.
    expect(
      await env.DB.prepare('SELECT ciphertext FROM vault_item_versions WHERE item_id = ?')
        .bind(a.item.id)
        .first('ciphertext'),
    ).toBe(ciphertextBefore);

    const logged = captureErrorLog();
    const onlyV2 = { env: withKeys(v2), db: db() };
    expect((await readSecret(onlyV2, owner.orgId, a.item.id)).value).toBe(a.value);
    expect((await readSecret(onlyV2, owner.orgId, b.item.id)).value).toBe(b.value);
    // The old master key alone can no longer open the re-wrapped data key.
    await expect(readSecret({ env: withKeys(v1), db: db() }, owner.orgId, a.item.id)).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(logged()).toEqual([
      expect.objectContaining({
        event: 'vault.integrity_failure',
        reason: 'data_key_unavailable',
        org_id: owner.orgId,
      }),
    ]);
  });

  it('changes nothing when run a second time', async () => {
    const owner = await newUser();
    await storeItem(owner.token, owner.orgId);
    const keys = withKeys(v1, v2);
    await rewrapDataKeys({ env: keys, db: db() });
    const once = await dataKeyRow(owner.orgId);
    const second = await rewrapDataKeys({ env: keys, db: db() });
    expect(second.rewrapped).toBe(0);
    expect(await dataKeyRow(owner.orgId)).toEqual(once);
  });

  it('runs from housekeeping when given the environment', async () => {
    const owner = await newUser();
    const { item, value } = await storeItem(owner.token, owner.orgId);
    const keys = withKeys(v1, v2, v3);
    await housekeeping(db(), Date.now(), keys);
    expect((await dataKeyRow(owner.orgId)).masterVersion).toBe(3);
    expect((await readSecret({ env: withKeys(v3), db: db() }, owner.orgId, item.id)).value).toBe(value);
  });

  it('leaves a data key whose master key is no longer configured as it is, and goes on', async () => {
    const stranded = await newUser();
    await storeItem(stranded.token, stranded.orgId);
    const before = await dataKeyRow(stranded.orgId);
    const logged = captureErrorLog();
    const result = await rewrapDataKeys({ env: withKeys(v2, v3), db: db() });
    expect(result.skipped).toBeGreaterThanOrEqual(1);
    // An operator is told which data key stayed behind.
    expect(logged()).toContainEqual(
      expect.objectContaining({ event: 'vault.rewrap_failed', org_id: stranded.orgId }),
    );
    expect(await dataKeyRow(stranded.orgId)).toEqual(before);
  });

  it('wraps new data keys with the newest master key', async () => {
    const owner = await newUser();
    const ctx = systemCtx(withKeys(v1, v2));
    const item = await storeSecret(ctx, owner.orgId, { name: 'provider.key', value: 'sk-x' });
    expect((await dataKeyRow(owner.orgId)).masterVersion).toBe(2);
    expect((await readSecret(ctx, owner.orgId, item.id)).value).toBe('sk-x');
  });

  it('rejects a master key list that names one version twice', async () => {
    await expect(masterKeys({ VAULT_MASTER_KEYS: `${v2},2:${randomKey()}` })).rejects.toThrow(/twice/);
  });
});

describe('organization data keys', () => {
  it('are created once even when the first stores race', async () => {
    const owner = await newUser();
    const stored = await Promise.all(Array.from({ length: 5 }, () => storeItem(owner.token, owner.orgId)));
    expect(await countRows('vault_data_keys WHERE org_id = ?', owner.orgId)).toBe(1);
    for (const { item, value } of stored) {
      expect((await readSecret({ env, db: db() }, owner.orgId, item.id)).value).toBe(value);
    }
  });

  it('are not created by reading an organization with no items', async () => {
    const owner = await newUser();
    await expect(
      readSecret({ env, db: db() }, owner.orgId, 'vlt_0000000000zzzzzzzzzzzzzzzz'),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(await countRows('vault_data_keys WHERE org_id = ?', owner.orgId)).toBe(0);
  });
});

describe('the module API for other features', () => {
  it('stores, reads, rotates and deletes a secret without HTTP, logging each change', async () => {
    const owner = await newUser();
    const ctx = systemCtx(withKeys(v1));
    const name = unique('webhook.secret');
    const first = secretValue();
    const item = await storeSecret(ctx, owner.orgId, { name, value: first, description: 'signing secret' });
    expect(await readSecret(ctx, owner.orgId, item.id)).toEqual({
      itemId: item.id,
      name,
      version: 1,
      value: first,
    });

    const second = secretValue();
    const rotated = await rotateSecret(ctx, owner.orgId, item.id, { value: second, gracePeriodSeconds: 0 });
    expect(rotated.currentVersion).toBe(2);
    expect((await readSecret(ctx, owner.orgId, item.id)).value).toBe(second);
    await expect(readSecret(ctx, owner.orgId, item.id, { version: 1 })).rejects.toMatchObject({
      status: 410,
    });

    await deleteSecret(ctx, owner.orgId, item.id);
    await expect(readSecret(ctx, owner.orgId, item.id)).rejects.toMatchObject({ status: 404 });
    const actions = await env.DB.prepare(
      "SELECT action FROM activity_log WHERE entity_id = ? AND actor_type = 'system' ORDER BY id",
    )
      .bind(item.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual([
      'vault.item_created',
      'vault.item_rotated',
      'vault.item_deleted',
    ]);
  });

  it('enforces the same input rules as the API', async () => {
    const owner = await newUser();
    const ctx = systemCtx(withKeys(v1));
    await expect(storeSecret(ctx, owner.orgId, { name: 'bad name', value: 'x' })).rejects.toMatchObject({
      status: 422,
    });
    await expect(
      storeSecret(ctx, owner.orgId, { name: 'big', value: 'x'.repeat(64 * 1024 + 1) }),
    ).rejects.toMatchObject({ status: 422 });
    expect(await db().select().from(vaultDataKeys).where(eq(vaultDataKeys.orgId, owner.orgId))).toEqual([]);
  });
});
