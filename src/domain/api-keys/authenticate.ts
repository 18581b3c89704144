import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeySecrets, apiKeys, apiKeyUsage, organizations } from '../../db/schema';
import { sha256Hex } from '../../lib/crypto';
import { unauthenticated } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { CredentialCache } from '../auth/credential-cache';
import type { Principal } from '../auth/principal';

export const API_KEY_PREFIX = 'fmk_';

type ApiKeyPrincipal = Extract<Principal, { type: 'api_key' }>;

/** Keys recently found valid, by secret hash, with the ends that still apply to them. */
const validKeys = new CredentialCache<{ principal: ApiKeyPrincipal; endsAt: number | null }>();

/** Forgets cached checks of a key (on revoke, roll, update…) or of a whole organization. */
export function forgetApiKeys(match: { keyId: string } | { orgId: string }) {
  validKeys.forget(({ principal }) =>
    'keyId' in match ? principal.keyId === match.keyId : principal.orgId === match.orgId,
  );
}

/**
 * Resolves a raw key to its principal; revoked, inactive, expired or past-grace keys, and keys of
 * deleted organizations, are refused.
 */
export async function authenticateApiKey(db: Db, raw: string): Promise<ApiKeyPrincipal> {
  const now = Date.now();
  const hash = await sha256Hex(raw);
  const cached = validKeys.get(hash, now);
  if (cached && (cached.endsAt === null || cached.endsAt > now)) return cached.principal;

  const readAt = validKeys.version;
  const [row] = await db
    .select({ key: apiKeys, secretExpiresAt: apiKeySecrets.expiresAt })
    .from(apiKeySecrets)
    .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.keyId))
    .innerJoin(organizations, and(eq(organizations.id, apiKeys.orgId), isNull(organizations.deletedAt)))
    .where(eq(apiKeySecrets.hash, hash))
    .limit(1);
  const key = row?.key;
  if (!row || !key) throw unauthenticated('The API key is not valid');
  if (key.revokedAt !== null) throw unauthenticated('The API key has been revoked');
  if (!key.active) throw unauthenticated('The API key is inactive');
  const ends = [key.expiresAt, row.secretExpiresAt].filter((t): t is number => t !== null);
  const endsAt = ends.length > 0 ? Math.min(...ends) : null;
  if (endsAt !== null && endsAt <= now) throw unauthenticated('The API key has expired');
  const principal: ApiKeyPrincipal = {
    type: 'api_key',
    keyId: key.id,
    orgId: key.orgId,
    scopes: key.scopes,
    endsAt,
  };
  validKeys.set(hash, { principal, endsAt }, now, readAt);
  return principal;
}

type KeyUse = typeof apiKeyUsage.$inferInsert;

/** Usage rows waiting for the write in flight to finish; written together by the next one. */
const pendingUses: KeyUse[] = [];
let writing: Promise<void> | null = null;

/** D1 binds at most 100 parameters a statement; a usage row has 7. */
const ROWS_PER_INSERT = 14;

/**
 * Records one request made with a key. While a write is in flight, further rows queue up and go in
 * the next batch, so a busy isolate writes usage in a few statements instead of one per request.
 * The promise settles once this row is written (for `waitUntil`).
 */
export function recordKeyUsage(
  db: Db,
  use: { keyId: string; orgId: string; method: string; path: string; status: number },
): Promise<void> {
  pendingUses.push({ id: newId('use'), ...use, createdAt: Date.now() });
  writing ??= drainUsage(db).finally(() => {
    writing = null;
  });
  return writing;
}

async function drainUsage(db: Db) {
  while (pendingUses.length > 0) {
    const rows = pendingUses.splice(0, ROWS_PER_INSERT * 8);
    const lastUsed = new Map<string, number>();
    for (const r of rows) lastUsed.set(r.keyId, Math.max(lastUsed.get(r.keyId) ?? 0, r.createdAt));
    const inserts = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
      inserts.push(db.insert(apiKeyUsage).values(rows.slice(i, i + ROWS_PER_INSERT)));
    const updates = [...lastUsed].map(([keyId, at]) =>
      db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, keyId)),
    );
    await db.batch([inserts[0]!, ...inserts.slice(1), ...updates]);
  }
}
