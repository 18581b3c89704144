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

/** Claims `key` for this request, or says what an earlier request with it became. */
export async function reserve(db: Db, scope: string, key: string, requestHash: string): Promise<Reservation> {
  const now = Date.now();
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.scope, scope),
        eq(idempotencyKeys.key, key),
        lte(idempotencyKeys.expiresAt, now),
      ),
    );
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash, createdAt: now, expiresAt: now + IDEMPOTENCY_TTL_MS })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return { state: 'reserved' };
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .limit(1);
  if (!row) return reserve(db, scope, key, requestHash);
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
