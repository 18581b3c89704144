import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  call,
  expectProblem,
  FIXTURE_STEP_HOST,
  fireAlarm,
  getRun,
  newUser,
  runEvents,
  runStub,
  runsPath,
  seedPipeline,
  startRun,
  stepFixture,
  stepQueue,
  stepStates,
} from '../support';

const transform = (key: string, template: string) => ({ key, kind: 'transform', config: { template } });
const http = (key: string, retry = { max_attempts: 1, backoff_ms: 0, max_backoff_ms: 0 }) => ({
  key,
  kind: 'http',
  retry,
  config: { url: `https://${FIXTURE_STEP_HOST}/${key}`, method: 'POST', body: '{{input}}' },
});

afterEach(() => {
  vi.useRealTimers();
});

describe('run commands and failures', () => {
  it('retries a step whose executor throws mid-step, then succeeds', async () => {
    const user = await newUser();
    const queue = stepQueue();
    let calls = 0;
    stepFixture(() => {
      calls += 1;
      if (calls === 1)
        return new Response(new ReadableStream({ pull: (c) => c.error(new Error('connection reset')) }));
      return Response.json({ ok: true });
    });
    const { pipelineId } = await seedPipeline(user, {
      steps: [http('call', { max_attempts: 3, backoff_ms: 60_000, max_backoff_ms: 60_000 })],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.deliver(queue.take());
    const retrying = await getRun(user, run.id);
    expect(retrying.steps[0]).toMatchObject({ state: 'retrying', attempt: 1 });
    expect(retrying.steps[0]!.error).toContain('connection reset');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    await fireAlarm(run.id);
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]).toMatchObject({ attempt: 2, output: { status: 200, body: { ok: true } } });
  });

  it('retries a step whose consumer died after its timeout, and discards the late result', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        {
          ...transform('a', 'fresh'),
          timeout_ms: 1000,
          retry: { max_attempts: 2, backoff_ms: 0, max_backoff_ms: 0 },
        },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    const [first] = queue.take();
    // A consumer claims the attempt and is never heard from again.
    expect(await runStub(run.id).claim('a', first!.token)).not.toBeNull();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5000);
    await fireAlarm(run.id);
    expect((await getRun(user, run.id)).steps[0]).toMatchObject({ state: 'retrying' });
    await fireAlarm(run.id);
    const [second] = queue.take();
    expect(second!.token).not.toBe(first!.token);
    expect(await runStub(run.id).report('a', first!.token, { status: 'succeeded', output: 'late' })).toBe(
      false,
    );
    await queue.deliver([second!]);
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]).toMatchObject({ attempt: 2, output: 'fresh' });
  });

  it('fails the run after the last attempt and skips the remaining steps', async () => {
    const user = await newUser();
    const queue = stepQueue();
    stepFixture(() => new Response('down', { status: 503 }));
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        http('call', { max_attempts: 2, backoff_ms: 60_000, max_backoff_ms: 60_000 }),
        transform('next', 'n'),
      ],
      edges: [{ from: 'call', to: 'next' }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    await fireAlarm(run.id);
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('answered 503');
    expect(stepStates(done)).toEqual({ call: 'failed', next: 'skipped' });
    expect(done.steps[0]!.attempt).toBe(2);
  });

  it('cancels a running run: nothing new starts and the running step’s late result is discarded', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [transform('a', 'a'), transform('b', 'b')],
      edges: [{ from: 'a', to: 'b' }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    const [message] = queue.take();
    expect(await runStub(run.id).claim('a', message!.token)).not.toBeNull();
    const res = await call(runsPath(user, `/${run.id}/cancel`), { token: user.token, method: 'POST' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.status).toBe('cancelled');
    expect(await runStub(run.id).report('a', message!.token, { status: 'succeeded', output: 'late' })).toBe(
      false,
    );
    await queue.deliver([message!]);
    expect(queue.held()).toEqual([]);
    const done = await getRun(user, run.id);
    expect(stepStates(done)).toEqual({ a: 'cancelled', b: 'cancelled' });
    expectProblem(
      await call(runsPath(user, `/${run.id}/cancel`), { token: user.token, method: 'POST' }),
      409,
    );
  });

  it('restarts a failed run from the failure, keeping what succeeded', async () => {
    const user = await newUser();
    const queue = stepQueue();
    let healthy = false;
    stepFixture(() => (healthy ? Response.json({ fixed: true }) : new Response('bad', { status: 400 })));
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        transform('a', 'kept'),
        http('b'),
        transform('c', '{{steps.a.output}}/{{steps.b.output.body.fixed}}'),
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    expect((await getRun(user, run.id)).status).toBe('failed');
    healthy = true;
    const res = await call(runsPath(user, `/${run.id}/restart`), { token: user.token, method: 'POST' });
    expect(res.status, res.text).toBe(200);
    expect(stepStates(res.json)).toEqual({ a: 'succeeded', b: 'queued', c: 'pending' });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((s) => s.key === 'c')!.output).toBe('kept/true');
    const startedA = (await runEvents(user, run.id)).data.filter(
      (e) => e.type === 'step.started' && e.payload.step_key === 'a',
    );
    expect(startedA).toHaveLength(1);
  });

  it('retries one failed step and what follows it, and refuses a step that did not fail', async () => {
    const user = await newUser();
    const queue = stepQueue();
    let healthy = false;
    stepFixture(() => (healthy ? Response.json('ok') : new Response('bad', { status: 422 })));
    const { pipelineId } = await seedPipeline(user, {
      steps: [transform('a', 'a'), http('b'), transform('c', 'c')],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    expectProblem(
      await call(runsPath(user, `/${run.id}/steps/a/retry`), { token: user.token, method: 'POST' }),
      409,
    );
    healthy = true;
    const res = await call(runsPath(user, `/${run.id}/steps/b/retry`), { token: user.token, method: 'POST' });
    expect(res.status, res.text).toBe(200);
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(stepStates(done)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded' });
    const out = await call(runsPath(user, `/${run.id}/steps/b/output`), { token: user.token });
    expect(out.json).toEqual({ key: 'b', state: 'succeeded', output: { status: 200, body: 'ok' } });
  });

  it('pauses and resumes: a message arriving while paused starts nothing; resume sends it again', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, { steps: [transform('a', 'a')] });
    const run = await startRun(user, { pipeline_id: pipelineId });
    const paused = await call(runsPath(user, `/${run.id}/pause`), { token: user.token, method: 'POST' });
    expect(paused.json.status).toBe('paused');
    const [stale] = queue.take();
    await queue.deliver([stale!]);
    expect((await getRun(user, run.id)).steps[0]!.state).toBe('queued');
    const resumed = await call(runsPath(user, `/${run.id}/resume`), { token: user.token, method: 'POST' });
    expect(resumed.json.status).toBe('running');
    const [fresh] = queue.held();
    expect(fresh!.token).not.toBe(stale!.token);
    await queue.deliver([stale!]);
    await queue.drain();
    expect((await getRun(user, run.id)).status).toBe('succeeded');
    expectProblem(
      await call(runsPath(user, `/${run.id}/resume`), { token: user.token, method: 'POST' }),
      409,
    );
  });
});
