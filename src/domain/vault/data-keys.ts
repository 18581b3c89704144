import { and, asc, desc, eq, gt, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { vaultDataKeys } from '../../db/schema';
import type { Env } from '../../env';
import { importAesKey, open, seal } from '../../lib/aead';
import { integrityFailure } from './integrity';
import { masterKeys } from './master-keys';

/** What the vault needs to reach its keys: the master keys in `env` and the database. */
export interface VaultDeps {
  env: Pick<Env, 'VAULT_MASTER_KEYS'>;
  db: Db;
}

export interface DataKey {
  version: number;
  key: CryptoKey;
}

type DataKeyRow = typeof vaultDataKeys.$inferSelect;

/** Every organization starts on data key version 1; the column leaves room to rotate data keys. */
const FIRST_DATA_KEY_VERSION = 1;

/** Binds a wrapped data key to its organization and version, so it cannot be moved to another. */
const wrapAad = (orgId: string, version: number) => `vault-data-key:${orgId}:${version}`;

const packWrapped = (s: { iv: string; ciphertext: string }) => `${s.iv}.${s.ciphertext}`;

function unpackWrapped(wrapped: string) {
  const [iv, ciphertext] = wrapped.split('.');
  return iv && ciphertext ? { iv, ciphertext } : null;
}

/** Decrypts a wrapped data key with the master key version it names. */
export async function unwrapDataKey(deps: VaultDeps, row: DataKeyRow): Promise<DataKey> {
  const master = (await masterKeys(deps.env)).byVersion.get(row.masterVersion);
  const sealed = unpackWrapped(row.wrappedKey);
  if (!master || !sealed)
    throw integrityFailure('data_key_unavailable', { org_id: row.orgId, master_version: row.masterVersion });
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = await open(master, sealed, wrapAad(row.orgId, row.version));
  } catch {
    throw integrityFailure('data_key_unwrap_failed', { org_id: row.orgId, data_key_version: row.version });
  }
  try {
    return { version: row.version, key: await importAesKey(raw) };
  } finally {
    raw.fill(0);
  }
}

async function wrapNewDataKey(deps: VaultDeps, orgId: string, version: number) {
  const { current } = await masterKeys(deps.env);
  const raw = crypto.getRandomValues(new Uint8Array(32));
  try {
    return {
      wrappedKey: packWrapped(await seal(current.key, raw, wrapAad(orgId, version))),
      masterVersion: current.version,
    };
  } finally {
    raw.fill(0);
  }
}

/**
 * The organization's newest data key, created on first use. Two first stores may race: both
 * insert-or-ignore, then both read back whichever key won, so every item uses the same key.
 */
export async function currentDataKey(deps: VaultDeps, orgId: string): Promise<DataKey> {
  const latest = () =>
    deps.db
      .select()
      .from(vaultDataKeys)
      .where(eq(vaultDataKeys.orgId, orgId))
      .orderBy(desc(vaultDataKeys.version))
      .limit(1);
  let [row] = await latest();
  if (!row) {
    const version = FIRST_DATA_KEY_VERSION;
    await deps.db
      .insert(vaultDataKeys)
      .values({ orgId, version, ...(await wrapNewDataKey(deps, orgId, version)), createdAt: Date.now() })
      .onConflictDoNothing();
    [row] = await latest();
    if (!row) throw new Error('The vault data key vanished right after it was created');
  }
  return unwrapDataKey(deps, row);
}

/**
 * Re-wraps data keys still wrapped by an older master key with the current one. The data keys
 * themselves do not change, so no item needs re-encrypting. Each update is conditional on the
 * master version it read, so overlapping runs, or a second run, change nothing twice.
 */
export async function rewrapDataKeys(deps: VaultDeps, pageSize = 50) {
  const { current, byVersion } = await masterKeys(deps.env);
  let rewrapped = 0;
  let skipped = 0;
  let after: { orgId: string; version: number } | null = null;
  for (;;) {
    const rows: DataKeyRow[] = await deps.db
      .select()
      .from(vaultDataKeys)
      .where(
        and(
          lt(vaultDataKeys.masterVersion, current.version),
          after
            ? or(
                gt(vaultDataKeys.orgId, after.orgId),
                and(eq(vaultDataKeys.orgId, after.orgId), gt(vaultDataKeys.version, after.version)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(vaultDataKeys.orgId), asc(vaultDataKeys.version))
      .limit(pageSize);
    if (rows.length === 0) break;
    const updates = [];
    for (const row of rows) {
      const sealed = unpackWrapped(row.wrappedKey);
      const oldMaster = byVersion.get(row.masterVersion);
      let raw: Uint8Array<ArrayBuffer> | null = null;
      try {
        if (!sealed || !oldMaster) throw new Error('master key version not configured');
        raw = await open(oldMaster, sealed, wrapAad(row.orgId, row.version));
        const wrapped = packWrapped(await seal(current.key, raw, wrapAad(row.orgId, row.version)));
        updates.push(
          deps.db
            .update(vaultDataKeys)
            .set({ wrappedKey: wrapped, masterVersion: current.version })
            .where(
              and(
                eq(vaultDataKeys.orgId, row.orgId),
                eq(vaultDataKeys.version, row.version),
                eq(vaultDataKeys.masterVersion, row.masterVersion),
              ),
            )
            .returning({ orgId: vaultDataKeys.orgId }),
        );
      } catch {
        // Left as it is: it stays readable with its old master key, and an operator must look.
        skipped++;
        console.error(
          JSON.stringify({
            event: 'vault.rewrap_failed',
            org_id: row.orgId,
            data_key_version: row.version,
            master_version: row.masterVersion,
          }),
        );
      } finally {
        raw?.fill(0);
      }
    }
    const [first, ...rest] = updates;
    if (first) {
      const results = await deps.db.batch([first, ...rest]);
      rewrapped += results.reduce((n, r) => n + r.length, 0);
    }
    const last = rows.at(-1)!;
    after = { orgId: last.orgId, version: last.version };
    if (rows.length < pageSize) break;
  }
  return { rewrapped, skipped, masterVersion: current.version };
}
