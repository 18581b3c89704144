import { type SQL, sql } from 'drizzle-orm';
import { activityLog } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { ActivityInput } from '../activity/record';
import type { Ctx } from '../context';

/**
 * A value that is only written when `condition` holds; on a NOT NULL column a failed condition
 * aborts the statement and with it the whole `db.batch()`. D1 has no interactive transactions,
 * so this is how a batch refuses to land when what it checked beforehand has changed.
 */
export const guarded = (value: string, condition: SQL) => sql`(CASE WHEN ${condition} THEN ${value} END)`;

const isGuardFailure = (err: unknown) => {
  const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return text.includes('NOT NULL constraint failed');
};

const isUniqueFailure = (err: unknown) => {
  const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return text.includes('UNIQUE constraint failed');
};

/** Runs a guarded batch; a tripped guard or unique index becomes `onConflict`'s 409. */
export async function runGuarded<T>(run: () => Promise<T>, onConflict: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isGuardFailure(err) || isUniqueFailure(err)) throw conflict(onConflict);
    throw err;
  }
}

/** True when the failure is a guard tripped by a concurrent change (worth one more try). */
export const trippedGuard = (err: unknown) => isGuardFailure(err);

/**
 * The activity entry for a change that only happens if `condition` holds, in the same batch.
 * (Raw `db.run()` statements cannot go in a drizzle D1 batch; `insert().select(sql)` can.)
 */
export function activityInsertWhen(ctx: Ctx, input: ActivityInput, condition: SQL) {
  return ctx.db.insert(activityLog).select(sql`
    SELECT ${newId('act')}, ${input.orgId}, ${ctx.actor.type}, ${ctx.actor.id}, ${input.action},
      ${input.entityType}, ${input.entityId}, ${JSON.stringify(input.metadata ?? {})}, ${ctx.ip}, ${Date.now()}
    WHERE ${condition}`);
}

/**
 * Activity ids made inside SQL for set-based writes: the time part of `newId` and 16 random hex
 * characters (hex digits are in the id alphabet), so they sort with the others.
 */
export const sqlActivityId = (now: number) =>
  sql`'act_' || ${newId('act', now).slice(4, 14)} || lower(hex(randomblob(8)))`;

/**
 * One activity entry per row of `from` (e.g. `jobs WHERE lease_id = ?`): `entityId`,
 * `orgId` and `metadata` are SQL over that row.
 */
export function activityInsertPerRow(
  ctx: Ctx,
  input: { action: ActivityInput['action']; entityType: string; orgId: SQL; entityId: SQL; metadata: SQL },
  from: SQL,
) {
  const now = Date.now();
  return ctx.db.insert(activityLog).select(sql`
    SELECT ${sqlActivityId(now)}, ${input.orgId}, ${ctx.actor.type}, ${ctx.actor.id}, ${input.action},
      ${input.entityType}, ${input.entityId}, ${input.metadata}, ${ctx.ip}, ${now}
    FROM ${from}`);
}
