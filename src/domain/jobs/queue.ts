import { and, asc, count, desc, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobs, jobWorkers } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { iso } from '../../lib/time';
import { activityInsertIf, activityInsertPerRow } from '../activity/record';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { jobFinished } from '../runs/steps/external';
import { retryDelayMs } from './backoff';

export type Job = typeof jobs.$inferSelect;
export type JobState = Job['state'];

export interface JobInput {
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  maxAttempts: number;
  timeoutMs: number;
  delayMs: number;
  idempotencyKey?: string;
}

async function findByKey(db: Db, orgId: string, key: string) {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.idempotencyKey, key)))
    .limit(1);
  return row;
}

/**
 * Queues a job. With an idempotency key, a repeat (even a concurrent one: the unique index
 * decides) returns the original job with `created: false`.
 */
export async function submitJob(ctx: OrgCtx, input: JobInput): Promise<{ job: Job; created: boolean }> {
  const { orgId } = ctx;
  if (input.idempotencyKey) {
    const existing = await findByKey(ctx.db, orgId, input.idempotencyKey);
    if (existing) return { job: existing, created: false };
  }
  const now = Date.now();
  const job: Job = {
    id: newId('job'),
    orgId,
    queue: input.queue,
    type: input.type,
    payload: JSON.stringify(input.payload),
    priority: input.priority,
    state: 'waiting',
    attempts: 0,
    maxAttempts: input.maxAttempts,
    timeoutMs: input.timeoutMs,
    idempotencyKey: input.idempotencyKey ?? null,
    availableAt: now + input.delayMs,
    leaseId: null,
    workerId: null,
    leaseExpiresAt: null,
    result: null,
    lastError: null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  };
  const [inserted] = await ctx.db.batch([
    ctx.db.insert(jobs).values(job).onConflictDoNothing().returning({ id: jobs.id }),
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'job.submitted',
        entityType: 'job',
        entityId: job.id,
        metadata: { queue: job.queue, type: job.type },
      },
      sql`EXISTS (SELECT 1 FROM ${jobs} WHERE id = ${job.id})`,
    ),
  ]);
  if (inserted.length > 0) return { job, created: true };
  const original = await findByKey(ctx.db, orgId, input.idempotencyKey!);
  if (!original) throw conflict('The job could not be submitted; try again');
  return { job: original, created: false };
}

export const getJob = (db: Db, orgId: string, id: string) => getInOrg(db, jobs, 'Job', orgId, id);

export interface JobFilter {
  state?: JobState;
  queue?: string;
  type?: string;
}

/** Newest first. */
export function listJobs(ctx: OrgCtx, f: JobFilter, page: PageRequest) {
  const where = and(
    f.state ? eq(jobs.state, f.state) : undefined,
    f.queue ? eq(jobs.queue, f.queue) : undefined,
    f.type ? eq(jobs.type, f.type) : undefined,
  );
  return pageInOrg(ctx.db, jobs, ctx.orgId, page, where, { desc: true });
}

/** Records that the worker was heard from: registration is implicit. */
function touchWorker(db: Db, orgId: string, workerId: string, now: number, queue?: string) {
  return db
    .insert(jobWorkers)
    .values({ orgId, workerId, lastQueue: queue ?? null, lastHeartbeatAt: now, createdAt: now })
    .onConflictDoUpdate({
      target: [jobWorkers.orgId, jobWorkers.workerId],
      set: {
        lastHeartbeatAt: now,
        ...(queue ? { lastQueue: queue } : {}),
      },
    });
}

export interface ClaimInput {
  workerId: string;
  queue: string;
  types?: string[];
  batchSize: number;
}

/**
 * Leases up to `batchSize` of the most urgent available jobs to one worker. It is a single
 * conditional UPDATE, and D1 runs statements one at a time, so no two claims can take the same
 * job. The jobs of one claim share a lease id, which heartbeat, complete and fail must present.
 */
export async function claimJobs(ctx: OrgCtx, input: ClaimInput) {
  const { orgId } = ctx;
  const now = Date.now();
  const leaseId = newId('lse');
  const available = ctx.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, orgId),
        eq(jobs.queue, input.queue),
        inArray(jobs.state, ['waiting', 'failed']),
        lte(jobs.availableAt, now),
        input.types?.length ? inArray(jobs.type, input.types) : undefined,
      ),
    )
    .orderBy(desc(jobs.priority), asc(jobs.availableAt), asc(jobs.id))
    .limit(input.batchSize);
  const [claimed] = await ctx.db.batch([
    ctx.db
      .update(jobs)
      .set({
        state: 'leased',
        leaseId,
        workerId: input.workerId,
        leaseExpiresAt: sql`${now} + ${jobs.timeoutMs}`,
        attempts: sql`${jobs.attempts} + 1`,
        updatedAt: now,
      })
      .where(inArray(jobs.id, available))
      .returning(),
    activityInsertPerRow(
      ctx,
      {
        action: 'job.claimed',
        entityType: 'job',
        orgId: sql`org_id`,
        entityId: sql`id`,
        metadata: sql`json_object('worker_id', worker_id, 'attempt', attempts, 'queue', queue, 'type', type)`,
      },
      sql`${jobs} WHERE lease_id = ${leaseId}`,
    ),
    touchWorker(ctx.db, orgId, input.workerId, now, input.queue),
  ]);
  return {
    leaseId,
    jobs: claimed.sort(
      (a, b) => b.priority - a.priority || a.availableAt - b.availableAt || (a.id < b.id ? -1 : 1),
    ),
  };
}

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

/** Jobs per queue and state. */
export async function queueStats(db: Db, orgId: string, queue?: string) {
  const rows = await db
    .select({ queue: jobs.queue, state: jobs.state, n: count() })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), queue ? eq(jobs.queue, queue) : undefined))
    .groupBy(jobs.queue, jobs.state)
    .orderBy(jobs.queue);
  const byQueue = new Map<string, Record<JobState, number>>();
  for (const r of rows) {
    const s = byQueue.get(r.queue) ?? { waiting: 0, leased: 0, done: 0, failed: 0, dead: 0 };
    s[r.state] = r.n;
    byQueue.set(r.queue, s);
  }
  return [...byQueue.entries()].map(([name, s]) => ({ queue: name, ...s }));
}

/** Workers heard from most recently first, with the leases they hold now. */
export function listWorkers(db: Db, orgId: string) {
  return db
    .select({
      workerId: jobWorkers.workerId,
      lastQueue: jobWorkers.lastQueue,
      lastHeartbeatAt: jobWorkers.lastHeartbeatAt,
      jobsCompleted: jobWorkers.jobsCompleted,
      jobsFailed: jobWorkers.jobsFailed,
      createdAt: jobWorkers.createdAt,
      // Spelled out: drizzle would render the outer columns bare, binding them to `j`.
      activeLeases: sql<number>`(SELECT count(*) FROM ${jobs} j WHERE j.org_id = "job_workers"."org_id"
        AND j.worker_id = "job_workers"."worker_id" AND j.state = 'leased')`.mapWith(Number),
    })
    .from(jobWorkers)
    .where(eq(jobWorkers.orgId, orgId))
    .orderBy(desc(jobWorkers.lastHeartbeatAt))
    .limit(500);
}
