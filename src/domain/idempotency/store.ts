import { and, eq, lte } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { idempotencyKeys } from '../../db/schema';
import { HOUR } from '../../lib/time';

/** How long a key is remembered; a retry after this runs the request anew. */
export const IDEMPOTENCY_TTL_MS = 24 * HOUR;

export type Reservation =
  | { state: 'reserved' }
  | { state: 'mismatch' }
  | { state: 'in_flight' }
  | { state: 'done'; status: number; body: string };

/**
 * Claims `key` for this request, or says what an earlier request with it became, in one round trip:
 * an expired record is dropped, the claim inserted unless one is held, and the record read back.
 */
export async function reserve(db: Db, scope: string, key: string, requestHash: string): Promise<Reservation> {
  const now = Date.now();
  const thisKey = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  const [, inserted, [row]] = await db.batch([
    db.delete(idempotencyKeys).where(and(thisKey, lte(idempotencyKeys.expiresAt, now))),
    db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, createdAt: now, expiresAt: now + IDEMPOTENCY_TTL_MS })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key }),
    db.select().from(idempotencyKeys).where(thisKey).limit(1),
  ]);
  if (inserted.length > 0) return { state: 'reserved' };
  // The batch runs as one transaction, so the record the insert gave way to is the one read.
  if (!row) throw new Error('An idempotency record vanished inside its own transaction');
  if (row.requestHash !== requestHash) return { state: 'mismatch' };
  if (row.status === null || row.responseBody === null) return { state: 'in_flight' };
  return { state: 'done', status: row.status, body: row.responseBody };
}

export async function complete(db: Db, scope: string, key: string, status: number, body: string) {
  await db
    .update(idempotencyKeys)
    .set({ status, responseBody: body })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

/** A request that failed leaves no trace, so the client may retry it with the same key. */
export async function release(db: Db, scope: string, key: string) {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

export function purgeExpiredIdempotencyKeys(db: Db, now: number) {
  return db.delete(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now));
}
