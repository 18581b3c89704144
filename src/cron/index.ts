import { createDb } from '../db/client';
import { markStaleAgentsOffline } from '../domain/agents/lifecycle';
import { expireJobLeases } from '../domain/jobs/leases';
import type { Env } from '../env';
import { runApprovalExpiry } from './approvals';
import { runAssignments } from './assignments';
import { housekeeping } from './housekeeping';

/** One cron trigger today; jobs take `now` so tests can run them at a chosen time. */
export async function runScheduled(_cron: string, env: Env, now: number) {
  const db = createDb(env.DB);
  // First: runs should start on time even when a later job fails.
  await runAssignments(env, db, now);
  await runApprovalExpiry(env, db, now);
  await housekeeping(db, now, env);
  await expireJobLeases(env, db, now);
  await markStaleAgentsOffline(env, db, now);
}
