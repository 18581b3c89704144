import { createDb } from '../db/client';
import { markStaleAgentsOffline } from '../domain/agents/lifecycle';
import { expireJobLeases } from '../domain/jobs/leases';
import type { Env } from '../env';
import { housekeeping } from './housekeeping';

/** One cron trigger today; jobs take `now` so tests can run them at a chosen time. */
export async function runScheduled(_cron: string, env: Env, now: number) {
  const db = createDb(env.DB);
  await housekeeping(db, now, env);
  await expireJobLeases(env, db, now);
  await markStaleAgentsOffline(env, db, now);
}
