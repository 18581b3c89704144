import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { councilMembers, councils } from '../../src/db/schema';
import { newId } from '../../src/lib/ids';
import {
  call,
  FIXTURE_STEP_HOST,
  fireAlarm,
  getRun,
  newAgent,
  newUser,
  orgPath,
  runEvents,
  seedPipeline,
  startRun,
  stepFixture,
  stepQueue,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

describe('step kinds', () => {
  it('agent: calls the development model as the agent and streams its output as agent.output deltas', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const agent = await newAgent(user);
    const { pipelineId } = await seedPipeline(user, {
      steps: [{ key: 'ask', kind: 'agent', config: { agent_id: agent.id, prompt: 'summarise {{input}}' } }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId, input: 'the plan' });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.steps[0]!.output).toBe('You said: summarise the plan');
    expect(done.steps[0]).toMatchObject({ tokens: { input: expect.any(Number), output: 5 } });
    const deltas = (await runEvents(user, run.id)).data.filter((e) => e.type === 'agent.output');
    expect(deltas.map((e) => e.payload.delta).join('')).toBe('You said: summarise the plan');
  });

  it('agent: a provider failure is retried, then fails the run', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const agent = await newAgent(user);
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        {
          key: 'ask',
          kind: 'agent',
          retry: { max_attempts: 1, backoff_ms: 0, max_backoff_ms: 0 },
          config: { agent_id: agent.id, prompt: '[[fail:500]]' },
        },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]!.error).toContain('provider');
  });

  it('council: members answer in parallel and the leader synthesises', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const [leader, m1, m2] = [await newAgent(user), await newAgent(user), await newAgent(user)];
    const councilId = newId('cnl');
    const db = createDb(env.DB);
    const now = Date.now();
    await db.batch([
      db.insert(councils).values({
        id: councilId,
        orgId: user.orgId,
        name: 'c',
        description: null,
        leaderAgentId: leader.id,
        createdBy: user.id,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(councilMembers).values([
        { councilId, agentId: m1.id, orgId: user.orgId, position: 0 },
        { councilId, agentId: m2.id, orgId: user.orgId, position: 1 },
      ]),
    ]);
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        { key: 'deliberate', kind: 'council', config: { council_id: councilId, prompt: 'which way?' } },
      ],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    const output = done.steps[0]!.output as {
      answers: { agent_id: string; answer: string }[];
      synthesis: string;
    };
    expect(output.answers).toEqual([
      { agent_id: m1.id, answer: 'You said: which way?' },
      { agent_id: m2.id, answer: 'You said: which way?' },
    ]);
    expect(output.synthesis).toContain('Synthesise one answer.');
  });

  it('http: calls the endpoint with the rendered body and refuses a private address', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const seen = stepFixture(async (req) => Response.json({ echoed: await req.text() }));
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        {
          key: 'call',
          kind: 'http',
          config: { url: `https://${FIXTURE_STEP_HOST}/hook`, method: 'POST', body: 'n={{input}}' },
        },
        {
          key: 'metadata',
          kind: 'http',
          retry: { max_attempts: 3, backoff_ms: 0, max_backoff_ms: 0 },
          config: { url: 'https://169.254.169.254/latest/meta-data', method: 'GET' },
        },
      ],
      edges: [{ from: 'call', to: 'metadata' }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId, input: 7 });
    await queue.drain();
    const done = await getRun(user, run.id);
    expect(done.steps[0]).toMatchObject({
      state: 'succeeded',
      output: { status: 200, body: { echoed: 'n=7' } },
    });
    expect(seen).toHaveLength(1);
    expect(done.steps[1]).toMatchObject({ state: 'failed', attempt: 1 });
    expect(done.steps[1]!.error).toContain('Refused');
    expect(done.status).toBe('failed');
  });

  it('external: posts a job and completes when a worker completes it through the job API', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [
        {
          key: 'build',
          kind: 'external',
          config: { job_type: 'build', queue: 'ci', payload: { ref: '{{input}}' } },
        },
        { key: 'after', kind: 'transform', config: { template: 'built {{steps.build.output.artifact}}' } },
      ],
      edges: [{ from: 'build', to: 'after' }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId, input: 'main' });
    await queue.drain();
    expect((await getRun(user, run.id)).steps[0]!.state).toBe('waiting');
    const claim = await call(orgPath(user.orgId, '/jobs/claim'), {
      token: user.token,
      body: { worker_id: 'ci-1', queue: 'ci' },
    });
    expect(claim.status, claim.text).toBe(200);
    const [job] = claim.json.data;
    expect(job).toMatchObject({ type: 'build', payload: { ref: 'main' } });
    const done = await call(orgPath(user.orgId, `/jobs/${job.id}/complete`), {
      token: user.token,
      body: { worker_id: 'ci-1', lease_id: claim.json.lease_id, result: { artifact: 'a.tgz' } },
    });
    expect(done.status, done.text).toBe(200);
    await queue.drain();
    const finished = await getRun(user, run.id);
    expect(finished.status).toBe('succeeded');
    expect(finished.steps[1]!.output).toBe('built a.tgz');
  });

  it('wait: the step ends by the object’s alarm once the delay has passed', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [{ key: 'pause', kind: 'wait', config: { seconds: 3600 } }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    await queue.drain();
    expect((await getRun(user, run.id)).steps[0]!.state).toBe('waiting');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_601_000);
    await fireAlarm(run.id);
    // Back to now: the access token would have expired an hour later.
    vi.useRealTimers();
    const done = await getRun(user, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.output).toEqual({ waited_seconds: 3600 });
  });

  it('a message from the dead-letter queue fails its attempt and is recorded in the run', async () => {
    const user = await newUser();
    const queue = stepQueue();
    const { pipelineId } = await seedPipeline(user, {
      steps: [{ key: 'a', kind: 'transform', config: { template: 'a' } }],
    });
    const run = await startRun(user, { pipeline_id: pipelineId });
    const [message] = queue.take();
    const result = await queue.deliver([message!], 'foreman-steps-dlq', 6);
    expect(result.explicitAcks).toHaveLength(1);
    const done = await getRun(user, run.id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]!.error).toContain('after 6 deliveries');
    const types = (await runEvents(user, run.id)).data.map((e) => e.type);
    expect(types).toContain('step.dead_lettered');
  });
});
