import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { runs } from '../../db/schema';
import type { Env } from '../../env';
import { activityInsertIf } from '../activity/record';
import type { Ctx } from '../context';
import type { RunInfo } from './plan';
import type { RunStatus } from './protocol';

export const runObject = (env: Env, runId: string) =>
  env.PIPELINE_RUN.get(env.PIPELINE_RUN.idFromName(runId));
export type PipelineRunStub = ReturnType<typeof runObject>;

const systemCtx = (env: Env): Ctx => ({
  env,
  db: createDb(env.DB),
  actor: { type: 'system', id: 'pipeline_run' },
  ip: null,
});

/** The run as its object holds it: what the index row must come to say. */
export interface IndexState {
  status: RunStatus;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/** How a run ended on its own; commands (cancel…) record their own entry with their caller. */
const ACTIVITY: Partial<Record<RunStatus, 'run.succeeded' | 'run.failed'>> = {
  succeeded: 'run.succeeded',
  failed: 'run.failed',
};

/**
 * Brings the run's D1 index row (which lists and filters read) to the object's state. It writes
 * the whole state, not a change, so a retry after a failed write converges; a run's end is also
 * an activity entry, in the same batch and only if the row did not say so already.
 */
export async function syncRunIndex(env: Env, info: RunInfo, state: IndexState) {
  const ctx = systemCtx(env);
  const update = ctx.db
    .update(runs)
    .set({
      status: state.status,
      error: state.error,
      finishedAt: state.finishedAt,
      updatedAt: Date.now(),
      ...(state.startedAt !== null
        ? { startedAt: sql`coalesce(${runs.startedAt}, ${state.startedAt})` }
        : {}),
    })
    .where(eq(runs.id, info.runId));
  const action = ACTIVITY[state.status];
  if (!action) {
    await update;
    return;
  }
  const news = sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${runs.id} = ${info.runId} AND ${runs.status} <> ${state.status})`;
  await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId: info.orgId,
        action,
        entityType: 'run',
        entityId: info.runId,
        metadata: { pipeline_id: info.pipelineId, ...(state.error ? { error: state.error } : {}) },
      },
      news,
    ),
    update,
  ]);
}

/** Runs of one pipeline for one project/ticket: the unit concurrency policies act on. */
export const sameWork = (info: Pick<RunInfo, 'orgId' | 'pipelineId' | 'projectId' | 'ticketId'>) =>
  and(
    eq(runs.orgId, info.orgId),
    eq(runs.pipelineId, info.pipelineId),
    info.projectId ? eq(runs.projectId, info.projectId) : isNull(runs.projectId),
    info.ticketId ? eq(runs.ticketId, info.ticketId) : isNull(runs.ticketId),
  );

/**
 * When a run ends, the oldest run queued behind it (policy `enqueue`) starts, unless another run
 * of the same work is running or paused. One conditional UPDATE is the check and the claim: two
 * finishing runs cannot start the same queued one, nor two different ones.
 */
export async function promoteQueuedRun(env: Env, info: RunInfo) {
  const db = createDb(env.DB);
  const oldest = db
    .select({ id: runs.id })
    .from(runs)
    .where(and(sameWork(info), eq(runs.status, 'queued')))
    .orderBy(asc(runs.id))
    .limit(1);
  const busy = sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${and(sameWork(info), inArray(runs.status, ['running', 'paused']))})`;
  const [claimed] = await db
    .update(runs)
    .set({ status: 'running', updatedAt: Date.now() })
    .where(and(inArray(runs.id, oldest), eq(runs.status, 'queued'), sql`NOT ${busy}`))
    .returning({ id: runs.id });
  if (claimed) await runObject(env, claimed.id).activate();
}
