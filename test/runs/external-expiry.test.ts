import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  call,
  fireAlarm,
  getRun,
  newApiKey,
  newUser,
  orgPath,
  runEvents,
  seedPipeline,
  startRun,
  stepQueue,
  type TestUser,
} from '../support';
import { cron } from '../support/cron';

afterEach(() => {
  vi.useRealTimers();
});

/** The external step's job lease (5 minutes), and a little more. */
const PAST_LEASE_MS = 5 * 60_000 + 1000;

/** The owner's organization seen through an API key, which outlives the clock moved forward. */
async function asKey(user: TestUser): Promise<TestUser> {
  const { key } = await newApiKey(user, user.orgId, ['jobs:read', 'jobs:write', 'runs:read', 'runs:write']);
  return { ...user, token: key };
}

async function externalRun(user: TestUser, maxAttempts: number) {
  const queue = stepQueue();
  const { pipelineId } = await seedPipeline(user, {
    steps: [
      {
        key: 'build',
        kind: 'external',
        retry: { max_attempts: maxAttempts, backoff_ms: 1000, max_backoff_ms: 1000 },
        config: { job_type: 'build', queue: 'ci', payload: { ref: 'main' } },
      },
    ],
  });
  const run = await startRun(user, { pipeline_id: pipelineId });
  await queue.drain();
  expect((await getRun(user, run.id)).steps[0]!.state).toBe('waiting');
  return { queue, run };
}

const claim = (worker: TestUser) =>
  call(orgPath(worker.orgId, '/jobs/claim'), {
    token: worker.token,
    body: { worker_id: 'ci-1', queue: 'ci' },
  });

/** A worker claims the job and vanishes, once per job attempt; housekeeping expires each lease. */
async function abandonEveryAttempt(worker: TestUser, attempts: number, start: number) {
  let now = start;
  let jobId: string | undefined;
  for (let i = 0; i < attempts; i++) {
    const res = await claim(worker);
    expect(res.status, res.text).toBe(200);
    jobId = res.json.data[0].id;
    now += PAST_LEASE_MS;
    vi.setSystemTime(now);
    await cron(now);
  }
  return { jobId: jobId!, now };
}

describe('external steps whose job dies by lease expiry', () => {
  it('a job dead after its last lease expired fails the step, and the run, when no attempt remains', async () => {
    const user = await newUser();
    const worker = await asKey(user);
    const { run } = await externalRun(user, 1);
    vi.useFakeTimers({ toFake: ['Date'] });
    const { jobId } = await abandonEveryAttempt(worker, 3, Date.now());
    const job = await call(orgPath(user.orgId, `/jobs/${jobId}`), { token: worker.token });
    expect(job.json.state).toBe('dead');
    const done = await getRun(worker, run.id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]!.state).toBe('failed');
    expect(done.steps[0]!.error).toContain(`Job ${jobId} failed: Lease expired`);
  });

  it('a job dead by lease expiry is retried as a new attempt of the step (a new job) while attempts remain', async () => {
    const user = await newUser();
    const worker = await asKey(user);
    const { queue, run } = await externalRun(user, 2);
    vi.useFakeTimers({ toFake: ['Date'] });
    const { jobId, now } = await abandonEveryAttempt(worker, 3, Date.now());
    const retrying = await getRun(worker, run.id);
    expect(retrying.steps[0]).toMatchObject({ state: 'retrying', attempt: 1 });
    vi.setSystemTime(now + 1000);
    await fireAlarm(run.id);
    await queue.drain();
    expect((await getRun(worker, run.id)).steps[0]).toMatchObject({ state: 'waiting', attempt: 2 });
    const next = await claim(worker);
    expect(next.json.data[0].id).not.toBe(jobId);
    const done = await call(orgPath(user.orgId, `/jobs/${next.json.data[0].id}/complete`), {
      token: worker.token,
      body: { worker_id: 'ci-1', lease_id: next.json.lease_id, result: { artifact: 'b.tgz' } },
    });
    expect(done.status, done.text).toBe(200);
    const finished = await getRun(worker, run.id);
    expect(finished.status).toBe('succeeded');
    expect(finished.steps[0]!.output).toEqual({ artifact: 'b.tgz' });
    const types = (await runEvents(worker, run.id)).data.map((e) => e.type);
    expect(types.filter((t) => t === 'step.retrying')).toHaveLength(1);
  });

  it('a job whose lease expired with attempts left goes back to the queue and the step keeps waiting', async () => {
    const user = await newUser();
    const worker = await asKey(user);
    const { run } = await externalRun(user, 1);
    vi.useFakeTimers({ toFake: ['Date'] });
    await abandonEveryAttempt(worker, 1, Date.now());
    expect((await getRun(worker, run.id)).steps[0]!.state).toBe('waiting');
  });
});
