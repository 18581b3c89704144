import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { agents, type ConcurrencyPolicy, runAgents, runs } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { JsonValue } from '../../lib/json-value';
import { activityInsertIf } from '../activity/record';
import { guarded, tryCommit } from '../commit';
import type { Ctx } from '../context';
import { resolvePipelineVersion } from '../pipelines/resolve';
import { getProject } from '../work/projects';
import { getTicket } from '../work/tickets';
import { runObject, sameWork } from './index-sync';
import { planAgents, type RunInfo } from './plan';
import { ACTIVE_RUN_STATUSES } from './protocol';
import { getRun, type RunDetail } from './queries';

/** A caller inside one organization: a request's `OrgCtx`, or a system context (cron) with `orgId`. */
export interface RunCtx extends Ctx {
  orgId: string;
}

export type RunTrigger = 'manual' | 'api' | 'cron' | 'retry';

export interface StartRunInput {
  /** The pipeline (its current version), or `versionId` to pin one; neither: the default pipeline. */
  pipelineId?: string | null;
  versionId?: string | null;
  input?: JsonValue;
  projectId?: string | null;
  /** A ticket the run works on; its project is the run's project unless one is given. */
  ticketId?: string | null;
  trigger: RunTrigger;
  /** Overrides the pipeline's policy for this run. */
  concurrency?: ConcurrencyPolicy | null;
  /** A repeat with the same key returns the first run (`created: false`) instead of starting another. */
  idempotencyKey?: string | null;
}

/** A run of the same work is active (SQL, for the run's own INSERT). */
const activeWork = (info: RunInfo) =>
  sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${and(sameWork(info), inArray(runs.status, [...ACTIVE_RUN_STATUSES]))})`;

async function activeRuns(ctx: RunCtx, info: RunInfo) {
  return ctx.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(sameWork(info), inArray(runs.status, [...ACTIVE_RUN_STATUSES]), ne(runs.id, info.runId)))
    .orderBy(asc(runs.id));
}

async function busy(ctx: RunCtx, info: RunInfo) {
  const ids = (await activeRuns(ctx, info)).map((r) => r.id);
  return conflict(`A run of this pipeline for this project and ticket is active (${ids.join(', ')})`);
}

/**
 * Of the active runs of the same work, the newest (by id, which grows with time) survives and
 * cancels the others. Every run created under `interrupt` does this after its own INSERT, so runs
 * created at once agree: one that sees a newer run cancels itself.
 */
async function interruptAllButNewest(ctx: RunCtx, info: RunInfo) {
  const active = [...(await activeRuns(ctx, info)).map((r) => r.id), info.runId].sort();
  const newest = active.at(-1)!;
  for (const id of active)
    if (id !== newest) await runObject(ctx.env, id).cancel(`Interrupted by run ${newest}`);
}

async function byKey(ctx: RunCtx, key: string) {
  const [row] = await ctx.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.orgId, ctx.orgId), eq(runs.idempotencyKey, key)));
  return row ? getRun(ctx, row.id) : undefined;
}

/**
 * Starts a run of a pipeline version. When a run of the same pipeline for the same project and
 * ticket is active, the concurrency policy decides: `reject` (409), `enqueue` (the new run waits
 * and starts when the active ones have ended), `interrupt` (the active ones are cancelled) or
 * `allow`. The index row, its agents and the activity entry are one batch; the run's object then
 * takes over.
 */
export async function startRun(
  ctx: RunCtx,
  input: StartRunInput,
): Promise<{ run: RunDetail; created: boolean }> {
  if (input.idempotencyKey) {
    const existing = await byKey(ctx, input.idempotencyKey);
    if (existing) return { run: existing, created: false };
  }
  const ticket = input.ticketId ? await getTicket(ctx.db, ctx.orgId, input.ticketId) : null;
  const projectId = input.projectId ?? ticket?.projectId ?? null;
  if (input.projectId) await getProject(ctx.db, ctx.orgId, input.projectId);
  if (ticket && projectId !== ticket.projectId) throw notFound('Ticket');
  const { pipeline, version, snapshot } = await resolvePipelineVersion(ctx.db, ctx.orgId, {
    pipelineId: input.pipelineId,
    versionId: input.versionId,
    projectId,
  });
  const policy = input.concurrency ?? pipeline.concurrency;
  const now = Date.now();
  const info: RunInfo = {
    runId: newId('run', now),
    orgId: ctx.orgId,
    pipelineId: pipeline.id,
    versionId: version.id,
    projectId,
    ticketId: ticket?.id ?? null,
    input: input.input ?? null,
    createdBy: ctx.actor.id,
  };
  const active = activeWork(info);
  // Decided by the INSERT itself, so two runs created at once cannot both find the work idle.
  const status = {
    reject: guarded('running', sql`NOT ${active}`),
    enqueue: sql`(CASE WHEN ${active} THEN 'queued' ELSE 'running' END)`,
    interrupt: sql`'running'`,
    allow: sql`'running'`,
  }[policy];
  const agentIds = planAgents(snapshot);
  const known = agentIds.length
    ? await ctx.db
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.orgId, ctx.orgId), inArray(agents.id, agentIds)))
    : [];
  const committed = await tryCommit(ctx.db, [
    ctx.db
      .insert(runs)
      .values({
        id: info.runId,
        orgId: ctx.orgId,
        pipelineId: info.pipelineId,
        versionId: info.versionId,
        projectId,
        ticketId: info.ticketId,
        status,
        trigger: input.trigger,
        concurrency: policy,
        input: JSON.stringify(info.input),
        error: null,
        idempotencyKey: input.idempotencyKey ?? null,
        createdBy: ctx.actor.id,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
      })
      .returning({ status: runs.status }),
    ...known.map((a) =>
      ctx.db.insert(runAgents).values({ runId: info.runId, agentId: a.id, orgId: ctx.orgId }),
    ),
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'run.created',
        entityType: 'run',
        entityId: info.runId,
        metadata: { pipeline_id: pipeline.id, version: version.version, trigger: input.trigger },
      },
      sql`EXISTS (SELECT 1 FROM ${runs} WHERE id = ${info.runId})`,
    ),
  ]);
  if (!committed.ok) {
    const existing = input.idempotencyKey ? await byKey(ctx, input.idempotencyKey) : undefined;
    if (existing) return { run: existing, created: false };
    if (committed.failure.kind === 'guard') throw await busy(ctx, info);
    throw committed.error;
  }
  const [inserted] = committed.results[0];
  await runObject(ctx.env, info.runId).start(
    info,
    snapshot,
    inserted!.status === 'queued' ? 'queued' : 'running',
  );
  if (policy === 'interrupt') await interruptAllButNewest(ctx, info);
  return { run: await getRun(ctx, info.runId), created: true };
}
