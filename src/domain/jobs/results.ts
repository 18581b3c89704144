import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobs, jobWorkers } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { iso } from '../../lib/time';
import { activityInsertIf } from '../activity/record';
import type { OrgCtx } from '../context';
import { jobFinished } from '../runs/steps/external';
import { retryDelayMs } from './backoff';
import { getJob, touchWorker } from './queue';

export interface LeaseProof {
  workerId: string;
  leaseId: string;
}

/** The job is still leased under this lease and the lease has not run out. */
const leaseHeld = (orgId: string, jobId: string, proof: LeaseProof, now: number) =>
  and(
    eq(jobs.orgId, orgId),
    eq(jobs.id, jobId),
    eq(jobs.state, 'leased'),
    eq(jobs.leaseId, proof.leaseId),
    eq(jobs.workerId, proof.workerId),
    sql`${jobs.leaseExpiresAt} > ${now}`,
  ) as SQL;

/** Why a lease check failed, as the error to answer with. */
async function leaseProblem(db: Db, orgId: string, jobId: string, proof: LeaseProof, now: number) {
  const job = await getJob(db, orgId, jobId);
  if (job.state !== 'leased' || job.leaseId !== proof.leaseId || job.workerId !== proof.workerId)
    return conflict(`This worker does not hold a lease on the job (it is ${job.state})`);
  if ((job.leaseExpiresAt ?? 0) <= now)
    return conflict('The lease expired; the job goes back to the queue and will be retried');
  return conflict('The job changed meanwhile; reload it');
}

/** Extends a held lease by `extendMs` (default: the job's timeout) from now. */
export async function heartbeat(ctx: OrgCtx, jobId: string, proof: LeaseProof, extendMs?: number) {
  const { orgId } = ctx;
  const now = Date.now();
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(jobs)
      .set({
        leaseExpiresAt: extendMs !== undefined ? now + extendMs : sql`${now} + ${jobs.timeoutMs}`,
        updatedAt: now,
      })
      .where(leaseHeld(orgId, jobId, proof, now))
      .returning(),
    touchWorker(ctx.db, orgId, proof.workerId, now),
  ]);
  if (!updated[0]) throw await leaseProblem(ctx.db, orgId, jobId, proof, now);
  return updated[0];
}

/** Finishes a leased job with its result; only the lease holder can, and only once. */
export async function completeJob(ctx: OrgCtx, jobId: string, proof: LeaseProof, result: unknown) {
  const { orgId } = ctx;
  const now = Date.now();
  const held = leaseHeld(orgId, jobId, proof, now);
  const [, , updated] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'job.completed',
        entityType: 'job',
        entityId: jobId,
        metadata: { worker_id: proof.workerId },
      },
      sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${held})`,
    ),
    workerCount(ctx.db, orgId, proof.workerId, 'completed', held),
    ctx.db
      .update(jobs)
      .set({
        state: 'done',
        result: JSON.stringify(result ?? null),
        leaseExpiresAt: null,
        completedAt: now,
        updatedAt: now,
      })
      .where(held)
      .returning(),
    touchWorker(ctx.db, orgId, proof.workerId, now),
  ]);
  if (!updated[0]) throw await leaseProblem(ctx.db, orgId, jobId, proof, now);
  await jobFinished(ctx.env, updated[0]);
  return updated[0];
}

/** Counts a finished attempt on the worker, under the same condition as the job's change. */
function workerCount(db: Db, orgId: string, workerId: string, what: 'completed' | 'failed', held: SQL) {
  const column = what === 'completed' ? jobWorkers.jobsCompleted : jobWorkers.jobsFailed;
  return db
    .update(jobWorkers)
    .set({ [what === 'completed' ? 'jobsCompleted' : 'jobsFailed']: sql`${column} + 1` })
    .where(
      and(
        eq(jobWorkers.orgId, orgId),
        eq(jobWorkers.workerId, workerId),
        sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${held})`,
      ),
    );
}

/**
 * Records a failed attempt. The job is retried after a backoff that doubles with each attempt,
 * unless it was the last attempt or the worker says retrying is pointless: then it is dead.
 */
export async function failJob(
  ctx: OrgCtx,
  jobId: string,
  proof: LeaseProof,
  error: string,
  retryable: boolean,
) {
  const { orgId } = ctx;
  const now = Date.now();
  const job = await getJob(ctx.db, orgId, jobId);
  const held = leaseHeld(orgId, jobId, proof, now);
  const dead = !retryable || job.attempts >= job.maxAttempts;
  const retryAt = now + retryDelayMs(job.attempts);
  const [, , updated] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: dead ? 'job.dead' : 'job.failed',
        entityType: 'job',
        entityId: jobId,
        metadata: {
          worker_id: proof.workerId,
          attempt: job.attempts,
          error: error.slice(0, 500),
          ...(dead ? {} : { retry_at: iso(retryAt) }),
        },
      },
      sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${held})`,
    ),
    workerCount(ctx.db, orgId, proof.workerId, 'failed', held),
    ctx.db
      .update(jobs)
      .set({
        state: dead ? 'dead' : 'failed',
        lastError: error,
        leaseExpiresAt: null,
        availableAt: dead ? job.availableAt : retryAt,
        updatedAt: now,
        ...(dead ? { completedAt: now } : {}),
      })
      .where(held)
      .returning(),
    touchWorker(ctx.db, orgId, proof.workerId, now),
  ]);
  if (!updated[0]) throw await leaseProblem(ctx.db, orgId, jobId, proof, now);
  await jobFinished(ctx.env, updated[0]);
  return updated[0];
}
