import { and, inArray, isNotNull, lt, lte, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeySecrets, apiKeyUsage, passwordResets, refreshTokens, sessions } from '../db/schema';
import { purgeExpiredIdempotencyKeys } from '../domain/idempotency/store';
import { purgeExpiredMemory } from '../domain/memory/entries';
import { purgeExpiredReservations } from '../domain/models/budget-ledger';
import { rewrapDataKeys } from '../domain/vault/data-keys';
import { purgeExpiredVaultVersions } from '../domain/vault/items';
import type { Env } from '../env';
import { DAY } from '../lib/time';

/** Ended sessions are kept a week for audit before their rows go. */
const ENDED_SESSION_RETENTION_MS = 7 * DAY;
/** Per-request API key usage is kept 30 days; `last_used_at` on the key stays. */
const API_KEY_USAGE_RETENTION_MS = 30 * DAY;

/**
 * Deletes what has expired as of `now`; safe to run twice for the same time. Given `env`, it also
 * re-wraps vault data keys still under an older master key.
 */
export async function housekeeping(db: Db, now: number, env?: Pick<Env, 'VAULT_MASTER_KEYS'>) {
  const ended = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      or(
        lte(sessions.expiresAt, now - ENDED_SESSION_RETENTION_MS),
        and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, now - ENDED_SESSION_RETENTION_MS)),
      ),
    );
  await db.batch([
    db.delete(refreshTokens).where(inArray(refreshTokens.sessionId, ended)),
    db.delete(sessions).where(inArray(sessions.id, ended)),
    db.delete(passwordResets).where(lte(passwordResets.expiresAt, now - DAY)),
    db.delete(apiKeySecrets).where(lte(apiKeySecrets.expiresAt, now)),
    db.delete(apiKeyUsage).where(lte(apiKeyUsage.createdAt, now - API_KEY_USAGE_RETENTION_MS)),
    purgeExpiredIdempotencyKeys(db, now),
    purgeExpiredVaultVersions(db, now),
    purgeExpiredMemory(db, now),
    purgeExpiredReservations(db, now),
  ]);
  if (env) await rewrapDataKeys({ env, db });
}
