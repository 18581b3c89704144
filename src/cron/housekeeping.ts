import { and, inArray, isNotNull, lt, lte, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeySecrets, passwordResets, refreshTokens, sessions } from '../db/schema';
import { purgeExpiredIdempotencyKeys } from '../domain/idempotency/store';
import { DAY } from '../lib/time';

/** Ended sessions are kept a week for audit before their rows go. */
const ENDED_SESSION_RETENTION_MS = 7 * DAY;

/** Deletes what has expired as of `now`; safe to run twice for the same time. */
export async function housekeeping(db: Db, now: number) {
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
    purgeExpiredIdempotencyKeys(db, now),
  ]);
}
