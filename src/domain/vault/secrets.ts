import { and, eq, sql } from 'drizzle-orm';
import { vaultDataKeys, vaultItems, vaultItemVersions } from '../../db/schema';
import { openText, sealText } from '../../lib/aead';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { commit } from '../commit';
import type { Ctx } from '../context';
import { forgetModelSetup } from '../models/setup-cache';
import { currentDataKey, unwrapDataKey, type VaultDeps } from './data-keys';
import { integrityFailure } from './integrity';
import { getItem, getItemRow, type VaultItemDetail } from './items';
import {
  checkDescription,
  checkName,
  checkValue,
  DEFAULT_GRACE_SECONDS,
  invalid,
  MAX_GRACE_SECONDS,
} from './rules';

/**
 * The vault's module API. Other features (provider keys, skill and MCP credentials, webhook
 * secrets) call these directly; the HTTP routes are one more caller. Values are sealed with the
 * organization's data key and bound to `${orgId}:${itemId}:${version}`, so a ciphertext moved to
 * another organization, item or version fails to decrypt.
 */

export interface RevealedSecret {
  itemId: string;
  name: string;
  version: number;
  value: string;
}

const valueAad = (orgId: string, itemId: string, version: number) => `${orgId}:${itemId}:${version}`;

const nameTaken = (name: string) => conflict(`A vault item named "${name}" already exists`);

export async function storeSecret(
  ctx: Ctx,
  orgId: string,
  input: { name: string; value: string; description?: string | null },
): Promise<VaultItemDetail> {
  checkName(input.name);
  checkValue(input.value);
  checkDescription(input.description);
  const now = Date.now();
  const id = newId('vlt', now);
  const dataKey = await currentDataKey(ctx, orgId);
  const sealed = await sealText(dataKey.key, input.value, valueAad(orgId, id, 1));
  const item = {
    id,
    orgId,
    name: input.name,
    description: input.description ?? null,
    currentVersion: 1,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(vaultItems).values(item),
      ctx.db.insert(vaultItemVersions).values({
        itemId: id,
        version: 1,
        ...sealed,
        dataKeyVersion: dataKey.version,
        createdAt: now,
        expiresAt: null,
      }),
      activityInsert(ctx, {
        orgId,
        action: 'vault.item_created',
        entityType: 'vault_item',
        entityId: id,
        metadata: { name: input.name, version: 1 },
      }),
    ],
    { unique: () => nameTaken(input.name) },
  );
  return { ...item, versions: [{ version: 1, createdAt: now, expiresAt: null }] };
}

/**
 * Decrypts a version (the current one unless `version` is given) without recording anything:
 * for the platform's own use of a secret. People see values only through `revealSecret`.
 */
export async function readSecret(
  deps: VaultDeps,
  orgId: string,
  itemId: string,
  opts: { version?: number } = {},
): Promise<RevealedSecret> {
  const wanted = opts.version;
  const [row] = await deps.db
    .select({ item: vaultItems, stored: vaultItemVersions, dataKey: vaultDataKeys })
    .from(vaultItems)
    .leftJoin(
      vaultItemVersions,
      and(
        eq(vaultItemVersions.itemId, vaultItems.id),
        wanted === undefined
          ? eq(vaultItemVersions.version, vaultItems.currentVersion)
          : eq(vaultItemVersions.version, wanted),
      ),
    )
    .leftJoin(
      vaultDataKeys,
      and(
        eq(vaultDataKeys.orgId, vaultItems.orgId),
        eq(vaultDataKeys.version, vaultItemVersions.dataKeyVersion),
      ),
    )
    .where(and(eq(vaultItems.orgId, orgId), eq(vaultItems.id, itemId)))
    .limit(1);
  if (!row) throw notFound('Vault item');
  const { item, stored, dataKey } = row;
  const version = wanted ?? item.currentVersion;
  if (version > item.currentVersion || version < 1) throw notFound(`Version ${version} of this vault item`);
  // Versions are numbered 1, 2, 3…: an earlier one that is missing was purged after its grace.
  if (!stored || (stored.expiresAt !== null && stored.expiresAt <= Date.now()))
    throw new ApiError(
      'gone',
      `Version ${version} of this vault item is past its grace period and can no longer be read`,
    );
  if (!dataKey) throw integrityFailure('data_key_missing', { org_id: orgId, item_id: itemId, version });
  const key = await unwrapDataKey(deps, dataKey);
  try {
    const value = await openText(key.key, stored, valueAad(orgId, itemId, version));
    return { itemId, name: item.name, version, value };
  } catch {
    throw integrityFailure('value_decrypt_failed', { org_id: orgId, item_id: itemId, version });
  }
}

/** Decrypts a value for a person and records who saw which version; the record is the price. */
export async function revealSecret(
  ctx: Ctx,
  orgId: string,
  itemId: string,
  opts: { version?: number } = {},
): Promise<RevealedSecret> {
  const secret = await readSecret(ctx, orgId, itemId, opts);
  await activityInsert(ctx, {
    orgId,
    action: 'vault.item_revealed',
    entityType: 'vault_item',
    entityId: itemId,
    metadata: { name: secret.name, version: secret.version },
  });
  return secret;
}

export async function updateSecret(
  ctx: Ctx,
  orgId: string,
  itemId: string,
  input: { name?: string; description?: string | null },
): Promise<VaultItemDetail> {
  if (input.name !== undefined) checkName(input.name);
  checkDescription(input.description);
  const item = await getItemRow(ctx.db, orgId, itemId);
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
  await commit(
    ctx.db,
    [
      ctx.db
        .update(vaultItems)
        .set({ ...changes, updatedAt: Date.now() })
        .where(and(eq(vaultItems.orgId, orgId), eq(vaultItems.id, item.id))),
      activityInsert(ctx, {
        orgId,
        action: 'vault.item_updated',
        entityType: 'vault_item',
        entityId: item.id,
        metadata: { name: input.name ?? item.name, changed: Object.keys(changes) },
      }),
    ],
    { unique: () => (input.name !== undefined ? nameTaken(input.name) : undefined) },
  );
  return getItem(ctx.db, orgId, item.id);
}

/**
 * Stores `value` as the next version and makes it current. Earlier versions stay readable until
 * `now + gracePeriodSeconds` (a shorter grace also cuts short an earlier, longer one; a longer one
 * never extends it), then housekeeping purges them.
 */
export async function rotateSecret(
  ctx: Ctx,
  orgId: string,
  itemId: string,
  input: { value: string; gracePeriodSeconds?: number },
): Promise<VaultItemDetail> {
  checkValue(input.value);
  const grace = input.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS)
    throw invalid('grace_period_seconds', `A whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`);
  const item = await getItemRow(ctx.db, orgId, itemId);
  const now = Date.now();
  const next = item.currentVersion + 1;
  const deadline = now + grace * 1000;
  const dataKey = await currentDataKey(ctx, orgId);
  const sealed = await sealText(dataKey.key, input.value, valueAad(orgId, itemId, next));
  // The new row's item_id comes from the item as it was read: if a concurrent rotate or delete
  // changed it meanwhile, the id is NULL, the insert fails, and the whole batch rolls back.
  const unchangedItemId = sql`(${ctx.db
    .select({ id: vaultItems.id })
    .from(vaultItems)
    .where(
      and(
        eq(vaultItems.orgId, orgId),
        eq(vaultItems.id, itemId),
        eq(vaultItems.currentVersion, item.currentVersion),
      ),
    )})`;
  // A deleted item is a 404; one rotated meanwhile (guard, or the same next version) a 409.
  const raced = async () => {
    await getItemRow(ctx.db, orgId, itemId);
    return conflict('The vault item was rotated by another request at the same time; retry');
  };
  await commit(
    ctx.db,
    [
      ctx.db
        .update(vaultItemVersions)
        .set({ expiresAt: sql`min(coalesce(${vaultItemVersions.expiresAt}, ${deadline}), ${deadline})` })
        .where(eq(vaultItemVersions.itemId, itemId)),
      ctx.db.insert(vaultItemVersions).values({
        itemId: unchangedItemId,
        version: next,
        ...sealed,
        dataKeyVersion: dataKey.version,
        createdAt: now,
        expiresAt: null,
      }),
      ctx.db
        .update(vaultItems)
        .set({ currentVersion: next, updatedAt: now })
        .where(and(eq(vaultItems.orgId, orgId), eq(vaultItems.id, itemId))),
      activityInsert(ctx, {
        orgId,
        action: 'vault.item_rotated',
        entityType: 'vault_item',
        entityId: itemId,
        metadata: {
          name: item.name,
          version: next,
          previous_version: item.currentVersion,
          grace_period_seconds: grace,
        },
      }),
    ],
    { guard: raced, unique: raced, foreignKey: raced },
  );
  // A provider key may live in this item: the gateway must not keep using the old value.
  forgetModelSetup(orgId);
  return getItem(ctx.db, orgId, itemId, now);
}

/** Deletes the item and (by foreign key) every stored version of it; nothing of the value remains. */
export async function deleteSecret(ctx: Ctx, orgId: string, itemId: string): Promise<void> {
  const item = await getItemRow(ctx.db, orgId, itemId);
  await ctx.db.batch([
    ctx.db.delete(vaultItems).where(and(eq(vaultItems.orgId, orgId), eq(vaultItems.id, item.id))),
    activityInsert(ctx, {
      orgId,
      action: 'vault.item_deleted',
      entityType: 'vault_item',
      entityId: item.id,
      metadata: { name: item.name },
    }),
  ]);
  forgetModelSetup(orgId);
}
