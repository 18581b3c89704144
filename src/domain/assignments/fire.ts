import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { assignmentSlots, pipelineAssignments } from '../../db/schema';
import { iso, MINUTE } from '../../lib/time';
import { activityInsert } from '../activity/record';
import type { Ctx, OrgCtx } from '../context';
import type { RunCtx } from '../runs/start';
import type { Assignment } from './assignments';
import { getAssignment } from './assignments';
import { startAssignmentRun } from './runs';
import { dueSlots, nextFireTimes } from './schedule';

/** Assignments one firing handles at most; the rest stay due and are handled by the next. */
const MAX_DUE_PER_FIRING = 200;
/** Slot rows per INSERT: five bound values each, under D1's 100 per statement. */
const SLOTS_PER_INSERT = 15;
/** Slot rows only matter while a firing could still compute their slot. */
export const SLOT_RETENTION_MS = 30 * 86_400_000;

/** A slot still claimed this long after its firing was left by a firing that died: start it again. */
const STALE_CLAIM_MS = MINUTE;

/** The scheduler acts as the system in the organization it starts runs for. */
const schedulerCtx = (ctx: Ctx, orgId: string): RunCtx => ({
  ...ctx,
  actor: { type: 'system', id: 'scheduler' },
  orgId,
});

/**
 * Starts every due slot of every enabled assignment once. Each slot's row is inserted first
 * (`ON CONFLICT DO NOTHING`) and only the firing whose insert landed starts its run, so a double
 * firing, an overlapping one or one in another isolate finds the row there and does nothing.
 */
export async function fireDueAssignments(ctx: Ctx, now: number) {
  const due = await ctx.db
    .select()
    .from(pipelineAssignments)
    .where(and(eq(pipelineAssignments.enabled, true), lte(pipelineAssignments.nextFireAt, now)))
    .orderBy(asc(pipelineAssignments.nextFireAt))
    .limit(MAX_DUE_PER_FIRING);
  // One assignment's failure must not keep the others from firing.
  await Promise.allSettled(due.map((a) => fireAssignment(schedulerCtx(ctx, a.orgId), a, now)));
  await restartStaleClaims(ctx, now);
}

/**
 * Slots claimed by a firing that ended before recording their run. Starting one again is safe:
 * the run carries the slot's idempotency key, so one that did start is found, not started twice.
 */
async function restartStaleClaims(ctx: Ctx, now: number) {
  const stale = await ctx.db
    .select({ assignment: pipelineAssignments, scheduledAt: assignmentSlots.scheduledAt })
    .from(assignmentSlots)
    .innerJoin(pipelineAssignments, eq(pipelineAssignments.id, assignmentSlots.assignmentId))
    .where(and(eq(assignmentSlots.state, 'claimed'), lte(assignmentSlots.createdAt, now - STALE_CLAIM_MS)))
    .limit(MAX_DUE_PER_FIRING);
  await Promise.allSettled(
    stale.map((s) => startSlot(schedulerCtx(ctx, s.assignment.orgId), s.assignment, s.scheduledAt)),
  );
}

async function fireAssignment(ctx: RunCtx, a: Assignment, now: number) {
  const slots = dueSlots(a, { missed: a.missedPolicy, cap: a.missedCap }, a.checkedThrough, now);
  for (const slot of await claimSlots(ctx.db, a, slots, now)) await startSlot(ctx, a, slot);
}

/**
 * Inserts the slots' rows and moves the cursor past `now` in one batch; returns the slots this
 * firing won. The cursor only moves from the value read, so a concurrent edit that restarted it
 * (a new expression) is not overwritten with a next fire time computed from the old one.
 */
async function claimSlots(db: Db, a: Assignment, slots: number[], now: number): Promise<number[]> {
  const advance = db
    .update(pipelineAssignments)
    .set({ checkedThrough: now, nextFireAt: nextFireTimes(a, now, 1)[0] ?? null })
    .where(and(eq(pipelineAssignments.id, a.id), eq(pipelineAssignments.checkedThrough, a.checkedThrough)));
  const inserts = [];
  for (let i = 0; i < slots.length; i += SLOTS_PER_INSERT)
    inserts.push(
      db
        .insert(assignmentSlots)
        .values(
          slots.slice(i, i + SLOTS_PER_INSERT).map((scheduledAt) => ({
            assignmentId: a.id,
            scheduledAt,
            orgId: a.orgId,
            state: 'claimed' as const,
            createdAt: now,
          })),
        )
        .onConflictDoNothing()
        .returning({ scheduledAt: assignmentSlots.scheduledAt }),
    );
  const [, ...won] = await db.batch([advance, ...inserts]);
  return won.flat().map((r) => r.scheduledAt);
}

async function startSlot(ctx: RunCtx, a: Assignment, scheduledAt: number) {
  const slot = and(eq(assignmentSlots.assignmentId, a.id), eq(assignmentSlots.scheduledAt, scheduledAt));
  try {
    const run = await startAssignmentRun(ctx, a, { trigger: 'cron', scheduledAt });
    await ctx.db.batch([
      ctx.db.update(assignmentSlots).set({ state: 'started', runId: run.id }).where(slot),
      recordLastRun(ctx.db, a.id, { runId: run.id, trigger: 'cron', scheduledAt, at: Date.now() }),
      firedActivity(ctx, a, { run_id: run.id, trigger: 'cron', scheduled_at: iso(scheduledAt) }),
    ]);
  } catch (err) {
    // Refused (e.g. the pipeline's concurrency policy): recorded, and not tried again.
    const error = err instanceof Error ? err.message : String(err);
    await ctx.db.batch([
      ctx.db.update(assignmentSlots).set({ state: 'failed', error }).where(slot),
      firedActivity(ctx, a, { trigger: 'cron', scheduled_at: iso(scheduledAt), error }),
    ]);
  }
}

/** Runs started by hand keep no slot row: `Idempotency-Key` is how a retried trigger starts one run. */
export async function triggerAssignment(ctx: OrgCtx, projectId: string, id: string) {
  const a = await getAssignment(ctx, projectId, id);
  const now = Date.now();
  const run = await startAssignmentRun(ctx, a, { trigger: 'manual', scheduledAt: now });
  await ctx.db.batch([
    recordLastRun(ctx.db, a.id, { runId: run.id, trigger: 'manual', scheduledAt: null, at: now }),
    firedActivity(ctx, a, { run_id: run.id, trigger: 'manual' }),
  ]);
  return run;
}

/** The last run is the most recently started one, whichever of two concurrent starts lands last. */
function recordLastRun(
  db: Db,
  id: string,
  last: { runId: string; trigger: 'cron' | 'manual'; scheduledAt: number | null; at: number },
) {
  return db
    .update(pipelineAssignments)
    .set({
      lastRunId: last.runId,
      lastTrigger: last.trigger,
      lastScheduledAt: last.scheduledAt,
      lastRunAt: last.at,
    })
    .where(
      and(
        eq(pipelineAssignments.id, id),
        or(isNull(pipelineAssignments.lastRunAt), lte(pipelineAssignments.lastRunAt, last.at)),
      ),
    );
}

const firedActivity = (ctx: RunCtx, a: Assignment, metadata: Record<string, unknown>) =>
  activityInsert(ctx, {
    orgId: a.orgId,
    action: 'pipeline_assignment.fired',
    entityType: 'pipeline_assignment',
    entityId: a.id,
    metadata: { project_id: a.projectId, pipeline_id: a.pipelineId, ...metadata },
  });
