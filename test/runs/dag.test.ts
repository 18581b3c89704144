import { describe, expect, it } from 'vitest';
import { getRun, newUser, runEvents, seedPipeline, startRun, stepQueue, stepStates } from '../support';

const transform = (key: string, template: string) => ({ key, kind: 'transform', config: { template } });

describe('run execution through the STEPS queue', () => {
  it('runs a diamond: the join starts only after both branches, with both outputs', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        transform('a', 'a({{input}})'),
        transform('b', 'b<{{steps.a.output}}>'),
        transform('c', 'c<{{steps.a.output}}>'),
        transform('d', '{{steps.b.output}}+{{steps.c.output}}'),
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId, input: 'x' });
    expect(run.status).toBe('running');
    expect(queue.held().map((m) => m.step_key)).toEqual(['a']);
    await queue.deliver(queue.take());
    expect(
      queue
        .held()
        .map((m) => m.step_key)
        .sort(),
    ).toEqual(['b', 'c']);
    const [b, c] = queue.take();
    await queue.deliver([b!]);
    expect(queue.held()).toEqual([]);
    await queue.deliver([c!]);
    expect(queue.held().map((m) => m.step_key)).toEqual(['d']);
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((s) => s.key === 'd')!.output).toBe('b<a(x)>+c<a(x)>');
  });

  it('fans out to 10 steps at once and joins them', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const keys = Array.from({ length: 10 }, (_, i) => `w${i}`);
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        transform('root', 'go'),
        ...keys.map((k) => transform(k, `${k}`)),
        transform('join', keys.map((k) => `{{steps.${k}.output}}`).join(',')),
      ],
      edges: [...keys.map((k) => ({ from: 'root', to: k })), ...keys.map((k) => ({ from: k, to: 'join' }))],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.deliver(queue.take());
    expect(
      queue
        .held()
        .map((m) => m.step_key)
        .sort(),
    ).toEqual([...keys].sort());
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((s) => s.key === 'join')!.output).toBe(keys.join(','));
  });

  it('follows only the edge whose condition holds on the parent output; the other branch is skipped', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        transform('review', '{"verdict":"{{input}}"}'),
        transform('ship', 'shipped'),
        transform('fix', 'fixing'),
        transform('after_ship', 'done'),
      ],
      edges: [
        { from: 'review', to: 'ship', condition: { path: 'verdict', equals: 'approve' } },
        { from: 'review', to: 'fix', condition: { path: 'verdict', equals: 'reject' } },
        { from: 'ship', to: 'after_ship' },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId, input: 'reject' });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(stepStates(done)).toEqual({
      review: 'succeeded',
      ship: 'skipped',
      fix: 'succeeded',
      after_ship: 'skipped',
    });
  });

  it('executes a step once when its message is delivered twice, even concurrently', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [transform('a', 'once'), transform('b', 'b')],
      edges: [{ from: 'a', to: 'b' }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    const [message] = queue.take();
    const results = await Promise.all([queue.deliver([message!]), queue.deliver([message!])]);
    for (const r of results) expect(r.explicitAcks).toHaveLength(1);
    await queue.deliver([message!]);
    expect(queue.held().map((m) => m.step_key)).toEqual(['b']);
    await queue.drain();
    const events = await runEvents(user, run.id);
    const started = events.data.filter((e) => e.type === 'step.started' && e.payload.step_key === 'a');
    expect(started).toHaveLength(1);
    expect((await getRun(user, run.id)).status).toBe('succeeded');
  });

  it('numbers the run’s events in order and reads them from a cursor', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, { steps: [transform('a', 'x')] });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    const all = await runEvents(user, run.id);
    expect(all.data.map((e) => e.type)).toEqual([
      'run.created',
      'run.started',
      'step.queued',
      'step.started',
      'step.succeeded',
      'run.succeeded',
    ]);
    expect(all.data.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const rest = await runEvents(user, run.id, 4);
    expect(rest.data.map((e) => e.seq)).toEqual([5, 6]);
  });
});
