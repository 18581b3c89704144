import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { jobs, jobWorkers } from '../../db/schema';
import type { JobState } from './queue';

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
