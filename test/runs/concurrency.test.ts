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

  it('reject: of runs created at the same moment exactly one starts, the others are 409s', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'reject' });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(runsPath(user), { token: user.token, body: { pipeline_id: pipelineId } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 201)!.json.id;
    for (const a of answers.filter((x) => x.status === 409))
      expect(expectProblem(a, 409).detail).toContain(winner);
    expect(queue.held().map((m) => m.run_id)).toEqual([winner]);
    const list = await call(runsPath(user, `?pipeline_id=${pipelineId}`), { token: user.token });
    expect(list.json.data.map((r: { id: string }) => r.id)).toEqual([winner]);
    await queue.drain();
    expect((await getRun(user, winner)).status).toBe('succeeded');
  });

  it('enqueue: of runs created at the same moment one runs, the others wait and then run one at a time, oldest first', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'enqueue' });
    const created = await Promise.all(
      Array.from({ length: 4 }, () => startRun(user, { pipeline_id: pipelineId })),
    );
    const running = created.filter((r) => r.status === 'running');
    expect(running).toHaveLength(1);
    const waiting = created.filter((r) => r.status === 'queued').map((r) => r.id);
    const order: string[] = [];
    for (let held = queue.take(); held.length > 0; held = queue.take()) {
      expect(held).toHaveLength(1);
      order.push(held[0]!.run_id);
      await queue.deliver(held);
    }
    expect(order).toEqual([running[0]!.id, ...waiting.sort()]);
    for (const r of created) expect((await getRun(user, r.id)).status).toBe('succeeded');
  });

  it('interrupt: of runs created at the same moment only the newest survives', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep, { concurrency: 'interrupt' });
    const created = await Promise.all(
      Array.from({ length: 3 }, () => startRun(user, { pipeline_id: pipelineId })),
    );
    const ids = created.map((r) => r.id).sort();
    const states = await Promise.all(ids.map(async (id) => (await getRun(user, id)).status));
    expect(states).toEqual(['cancelled', 'cancelled', 'running']);
    await queue.drain();
    expect((await getRun(user, ids[2]!)).status).toBe('succeeded');
  });
});
