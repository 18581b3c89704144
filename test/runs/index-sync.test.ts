import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import {
  call,
  captureErrorLog,
  fireAlarm,
  getRun,
  newUser,
  runsPath,
  seedPipeline,
  startRun,
  stepQueue,
} from '../support';

const transform = (key: string) => ({ key, kind: 'transform', config: { template: 'done' } });

/** Makes every write to one run's index row fail, as a D1 outage would, until the returned undo. */
async function breakIndexRow(runId: string) {
  const trigger = `fail_index_${runId}`;
  await env.DB.prepare(
    `CREATE TRIGGER ${trigger} BEFORE UPDATE ON runs WHEN OLD.id = '${runId}' BEGIN SELECT RAISE(ABORT, 'index unavailable'); END`,
  ).run();
  return () => env.DB.prepare(`DROP TRIGGER ${trigger}`).run();
}

const listed = async (user: Awaited<ReturnType<typeof newUser>>, runId: string) => {
  const res = await call(runsPath(user, '?limit=100'), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return (res.json.data as { id: string; status: string }[]).find((r) => r.id === runId)?.status;
};

const endEntries = async (runId: string) =>
  (
    await env.DB.prepare(
      `SELECT count(*) AS n FROM activity_log WHERE entity_id = ? AND action = 'run.succeeded'`,
    )
      .bind(runId)
      .first<{ n: number }>()
  )?.n;

it('retries a failed index write from the alarm until the list says how the run ended, with one activity entry', async () => {
  const errors = captureErrorLog();
  const user = await newUser();
  const queue = stepQueue();
  const { pipelineId } = await seedPipeline(user, { steps: [transform('only')] });
  const run = await startRun(user, { pipeline_id: pipelineId });
  const repair = await breakIndexRow(run.id);

  await queue.drain();
  expect((await getRun(user, run.id)).status).toBe('succeeded');
  expect(await listed(user, run.id)).toBe('running');
  expect(await endEntries(run.id)).toBe(0);
  expect(errors()).toContainEqual(expect.objectContaining({ pipeline_run: 'index', run_id: run.id }));

  // Still down at the first retry: the object keeps trying.
  expect(await fireAlarm(run.id)).toBe(true);
  expect(await listed(user, run.id)).toBe('running');

  await repair();
  expect(await fireAlarm(run.id)).toBe(true);
  expect(await listed(user, run.id)).toBe('succeeded');
  expect(await endEntries(run.id)).toBe(1);

  // Nothing left to retry: no further alarm writes or records anything.
  await fireAlarm(run.id);
  expect(await endEntries(run.id)).toBe(1);
});
