import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobs, jobWorkers } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsertIf, activityInsertPerRow } from '../activity/record';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';

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
export function touchWorker(db: Db, orgId: string, workerId: string, now: number, queue?: string) {
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
