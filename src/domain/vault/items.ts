import { and, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { vaultItems, vaultItemVersions } from '../../db/schema';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';

export type VaultItem = typeof vaultItems.$inferSelect;

export interface VaultItemVersion {
  version: number;
  createdAt: number;
  /** When an earlier version stops being readable; null for the current version. */
  expiresAt: number | null;
}

export interface VaultItemDetail extends VaultItem {
  /** Versions still readable, newest first. */
  versions: VaultItemVersion[];
}

/** Another organization's item is not found, exactly like a missing one. */
export const getItemRow = (db: Db, orgId: string, itemId: string) =>
  getInOrg(db, vaultItems, 'Vault item', orgId, itemId);

const readable = (now: number) =>
  or(isNull(vaultItemVersions.expiresAt), gt(vaultItemVersions.expiresAt, now));

export async function getItem(
  db: Db,
  orgId: string,
  itemId: string,
  now = Date.now(),
): Promise<VaultItemDetail> {
  const item = await getItemRow(db, orgId, itemId);
  const versions = await db
    .select({
      version: vaultItemVersions.version,
      createdAt: vaultItemVersions.createdAt,
      expiresAt: vaultItemVersions.expiresAt,
    })
    .from(vaultItemVersions)
    .where(and(eq(vaultItemVersions.itemId, item.id), readable(now)))
    .orderBy(desc(vaultItemVersions.version));
  return { ...item, versions };
}

/** Ordered by name, which the (org_id, name) unique index serves; the cursor is the last name. */
export function listItems(ctx: OrgCtx, page: PageRequest) {
  return pageInOrg(ctx.db, vaultItems, ctx.orgId, page, undefined, { by: 'name' });
}

/** Earlier versions whose grace period has ended; a statement for housekeeping's batch. */
export function purgeExpiredVaultVersions(db: Db, now: number) {
  return db.delete(vaultItemVersions).where(lte(vaultItemVersions.expiresAt, now));
}
