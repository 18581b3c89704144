import { describe, expect, it } from 'vitest';
import {
  call,
  expectProblem,
  getRun,
  newAgent,
  newUser,
  openSse,
  orgPath,
  runsPath,
  seedPipeline,
  startRun,
  stepQueue,
} from '../support';

const oneStep = { steps: [{ key: 'a', kind: 'transform', config: { template: 'a' } }] };

describe('run access, lists and streams', () => {
  it('answers 404 for another organization’s runs, steps, events, stream and commands', async () => {
    const owner = await newUser();
    const other = await newUser();
    stepQueue();
    const { pipelineId } = await seedPipeline(owner, oneStep);
    const run = await startRun(owner, { pipeline_id: pipelineId });
    for (const path of ['', '/events', '/stream', '/steps/a', '/steps/a/output'])
      expectProblem(await call(orgPath(owner.orgId, `/runs/${run.id}${path}`), { token: other.token }), 404);
    for (const path of ['', '/events', '/steps/a'])
      expectProblem(await call(orgPath(other.orgId, `/runs/${run.id}${path}`), { token: other.token }), 404);
    expectProblem(
      await call(orgPath(other.orgId, `/runs/${run.id}/cancel`), { token: other.token, method: 'POST' }),
      404,
    );
    expectProblem(
      await call(runsPath(other), { token: other.token, body: { pipeline_id: pipelineId } }),
      404,
    );
  });

  it('lists runs newest first, filtered by pipeline, status and agent', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const agent = await newAgent(user);
    const a = await seedPipeline(user, oneStep);
    const b = await seedPipeline(user, {
      steps: [{ key: 'think', kind: 'agent', config: { agent_id: agent.id, prompt: 'hi' } }],
    });
    const r1 = await startRun(user, { pipeline_id: a.pipelineId });
    await queue.drain();
    const r2 = await startRun(user, { pipeline_id: b.pipelineId });
    queue.take();
    const all = await call(runsPath(user), { token: user.token });
    expect(all.json.data.map((r: { id: string }) => r.id)).toEqual([r2.id, r1.id]);
    const byPipeline = await call(runsPath(user, `?pipeline_id=${a.pipelineId}`), { token: user.token });
    expect(byPipeline.json.data.map((r: { id: string }) => r.id)).toEqual([r1.id]);
    const running = await call(runsPath(user, '?status=running,queued'), { token: user.token });
    expect(running.json.data.map((r: { id: string }) => r.id)).toEqual([r2.id]);
    const history = await call(orgPath(user.orgId, `/agents/${agent.id}/runs`), { token: user.token });
    expect(history.json.data.map((r: { id: string; agent_ids: string[] }) => [r.id, r.agent_ids])).toEqual([
      [r2.id, [agent.id]],
    ]);
  });

  it('streams a run over SSE, replaying from Last-Event-ID', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, oneStep);
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    expect((await getRun(user, run.id)).status).toBe('succeeded');
    const sse = await openSse(runsPath(user, `/${run.id}/stream`), user.token, { 'Last-Event-ID': '3' });
    expect((await sse.next()).event).toBe('ready');
    const replayed = [await sse.next(), await sse.next(), await sse.next()];
    expect(replayed.map((m) => [m.id, m.event])).toEqual([
      ['4', 'step.started'],
      ['5', 'step.succeeded'],
      ['6', 'run.succeeded'],
    ]);
    await sse.close();
  });
});
