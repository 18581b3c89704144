import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobs } from '../../db/schema';
import type { Env } from '../../env';
import { activityInsertPerRow } from '../activity/record';
import type { Ctx } from '../context';
import { jobFinished } from '../runs/steps/external';

/**
 * Returns jobs whose lease ran out (the worker stopped heartbeating) to the queue, or marks them
 * dead if that was their last attempt; a dead job of a pipeline step tells its run, as a worker's
 * failure would. Safe to run twice for the same time.
 */
export async function expireJobLeases(env: Env, db: Db, now: number) {
  const ctx: Ctx = { env, db, actor: { type: 'system', id: 'housekeeping' }, ip: null };
  const expired = and(eq(jobs.state, 'leased'), lte(jobs.leaseExpiresAt, now));
  const perRow = (action: 'job.lease_expired' | 'job.dead', lastAttempt: boolean) =>
    activityInsertPerRow(
      ctx,
      {
        action,
        entityType: 'job',
        orgId: sql`org_id`,
        entityId: sql`id`,
        metadata: sql`json_object('worker_id', worker_id, 'attempt', attempts, 'reason', 'lease_expired')`,
      },
      sql`${jobs} WHERE ${expired} AND attempts ${sql.raw(lastAttempt ? '>=' : '<')} max_attempts`,
    );
  const [, , expiredJobs] = await db.batch([
    perRow('job.lease_expired', false),
    perRow('job.dead', true),
    db
      .update(jobs)
      .set({
        state: sql`CASE WHEN ${jobs.attempts} >= ${jobs.maxAttempts} THEN 'dead' ELSE 'waiting' END`,
        lastError: sql`'Lease expired: worker ' || coalesce(${jobs.workerId}, '?') || ' stopped heartbeating'`,
        leaseId: null,
        leaseExpiresAt: null,
        availableAt: now,
        completedAt: sql`CASE WHEN ${jobs.attempts} >= ${jobs.maxAttempts} THEN ${now} END`,
        updatedAt: now,
      })
      .where(expired)
      .returning(),
  ]);
  for (const job of expiredJobs) await jobFinished(env, job);
}
