import { type SQL, sql } from 'drizzle-orm';
import { activityLog } from '../../db/schema';
import { newId } from '../../lib/ids';
import type { Ctx } from '../context';
import type { EventType } from '../events/catalog';

/**
 * Activity entries are written as statements to put in the same `db.batch()` as the change they
 * record, so the log and the change land together or not at all. Four shapes, for four needs.
 */

export interface ActivityInput {
  orgId: string;
  action: EventType;
  entityType: string;
  entityId: string;
  metadata?: Record<string, unknown>;
}

/** The row of an entry; `orgId` may be SQL that yields NULL to abort the batch. */
const entry = (ctx: Ctx, input: ActivityInput, orgId: string | SQL = input.orgId) => ({
  id: newId('act'),
  orgId,
  actorType: ctx.actor.type,
  actorId: ctx.actor.id,
  action: input.action,
  entityType: input.entityType,
  entityId: input.entityId,
  metadata: input.metadata ?? {},
  ip: ctx.ip,
  createdAt: Date.now(),
});

/** The entry, always written. */
export function activityInsert(ctx: Ctx, input: ActivityInput) {
  return ctx.db.insert(activityLog).values(entry(ctx, input));
}

/**
 * The entry, written only if `condition` holds; otherwise it is skipped and the rest of the batch
 * still lands. For a change that may find nothing to change (a conditional UPDATE), whose caller
 * reads the outcome from the UPDATE's result. (Raw `db.run()` statements cannot go in a drizzle D1
 * batch; `insert().select(sql)` can.)
 */
export function activityInsertIf(ctx: Ctx, input: ActivityInput, condition: SQL) {
  return ctx.db.insert(activityLog).select(sql`
    SELECT ${newId('act')}, ${input.orgId}, ${ctx.actor.type}, ${ctx.actor.id}, ${input.action},
      ${input.entityType}, ${input.entityId}, ${JSON.stringify(input.metadata ?? {})}, ${ctx.ip}, ${Date.now()}
    WHERE ${condition}`);
}

/**
 * The entry, and if `guard` does not hold once the statements before it in the batch have run,
 * the whole batch is undone: its organization is then NULL and the NOT NULL constraint fails (a
 * `guard` failure for `commit`). This makes "change if still X, and log it" one atomic step.
 */
export function activityInsertOrAbort(ctx: Ctx, input: ActivityInput, guard: SQL) {
  return ctx.db.insert(activityLog).values(entry(ctx, input, sql`(SELECT ${input.orgId} WHERE ${guard})`));
}

/**
 * Activity ids made inside SQL for set-based writes: the time part of `newId` and 16 random hex
 * characters (hex digits are in the id alphabet), so they sort with the others.
 */
const sqlActivityId = (now: number) =>
  sql`'act_' || ${newId('act', now).slice(4, 14)} || lower(hex(randomblob(8)))`;

/**
 * One entry per row of `from` (e.g. `jobs WHERE lease_id = ?`): `entityId`, `orgId` and
 * `metadata` are SQL over that row.
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
