import { describe, expect, it } from 'vitest';
import {
  call,
  expectProblem,
  getRun,
  newUser,
  runsPath,
  seedPipeline,
  startRun,
  stepQueue,
} from '../support';

const oneStep = { steps: [{ key: 'a', kind: 'transform', config: { template: 'a' } }] };

describe('concurrency policies for runs of one pipeline and project/ticket', () => {
  it('reject: a second run while one is active is a 409', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'reject' });
    const first = await startRun(user, { pipeline_id: pipelineId });
    const second = await call(runsPath(user), { token: user.token, body: { pipeline_id: pipelineId } });
    expect(expectProblem(second, 409).detail).toContain(first.id);
    await queue.drain();
    await startRun(user, { pipeline_id: pipelineId });
  });

  it('enqueue: the second run waits, and starts when the first ends', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'enqueue' });
    const first = await startRun(user, { pipeline_id: pipelineId });
    const second = await startRun(user, { pipeline_id: pipelineId });
    expect(second.status).toBe('queued');
    expect(queue.held().map((m) => m.run_id)).toEqual([first.id]);
    await queue.deliver(queue.take());
    expect((await getRun(user, first.id)).status).toBe('succeeded');
    expect(queue.held().map((m) => m.run_id)).toEqual([second.id]);
    await queue.drain();
    expect((await getRun(user, second.id)).status).toBe('succeeded');
  });

  it('interrupt: the active run is cancelled and the new one starts', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'interrupt' });
    const first = await startRun(user, { pipeline_id: pipelineId });
    const second = await startRun(user, { pipeline_id: pipelineId });
    expect(second.status).toBe('running');
    const cancelled = await getRun(user, first.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error).toContain(second.id);
    await queue.drain();
    expect((await getRun(user, second.id)).status).toBe('succeeded');
  });

  it('allow (set per run): both run side by side', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'reject' });
    const first = await startRun(user, { pipeline_id: pipelineId });
    const second = await startRun(user, { pipeline_id: pipelineId, concurrency: 'allow' });
    expect(
      queue
        .held()
        .map((m) => m.run_id)
        .sort(),
    ).toEqual([first.id, second.id].sort());
    await queue.drain();
    expect((await getRun(user, first.id)).status).toBe('succeeded');
    expect((await getRun(user, second.id)).status).toBe('succeeded');
  });
});
