import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeySecrets, apiKeys, apiKeyUsage } from '../../db/schema';
import { sha256Hex } from '../../lib/crypto';
import { unauthenticated } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Principal } from '../auth/principal';

export const API_KEY_PREFIX = 'fmk_';

/** Resolves a raw key to its principal; revoked, inactive, expired or past-grace keys are refused. */
export async function authenticateApiKey(
  db: Db,
  raw: string,
): Promise<Extract<Principal, { type: 'api_key' }>> {
  const now = Date.now();
  const [row] = await db
    .select({ key: apiKeys, secretExpiresAt: apiKeySecrets.expiresAt })
    .from(apiKeySecrets)
    .innerJoin(apiKeys, eq(apiKeys.id, apiKeySecrets.keyId))
    .where(eq(apiKeySecrets.hash, await sha256Hex(raw)))
    .limit(1);
  const key = row?.key;
  if (!row || !key) throw unauthenticated('The API key is not valid');
  if (key.revokedAt !== null) throw unauthenticated('The API key has been revoked');
  if (!key.active) throw unauthenticated('The API key is inactive');
  if (
    (key.expiresAt !== null && key.expiresAt <= now) ||
    (row.secretExpiresAt !== null && row.secretExpiresAt <= now)
  )
    throw unauthenticated('The API key has expired');
  return { type: 'api_key', keyId: key.id, orgId: key.orgId, scopes: key.scopes };
}

export function recordKeyUsage(
  db: Db,
  use: { keyId: string; orgId: string; method: string; path: string; status: number },
) {
  const now = Date.now();
  return db.batch([
    db.insert(apiKeyUsage).values({ id: newId('use'), ...use, createdAt: now }),
    db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, use.keyId)),
  ]);
}
