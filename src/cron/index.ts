import { createDb } from '../db/client';
import type { Env } from '../env';
import { housekeeping } from './housekeeping';

/** One cron trigger today; jobs take `now` so tests can run them at a chosen time. */
export async function runScheduled(_cron: string, env: Env, now: number) {
  await housekeeping(createDb(env.DB), now, env);
}
