import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runDurableObjectAlarm,
} from 'cloudflare:test';
import { expect, onTestFinished, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { pipelines, pipelineVersions } from '../../src/db/schema';
import { SnapshotSchema } from '../../src/domain/pipelines/snapshot';
import type { StepMessage } from '../../src/domain/runs/protocol';
import worker from '../../src/index';
import { newId } from '../../src/lib/ids';
import { call } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

type StepInput = { key: string; kind: string; config: Record<string, unknown> } & Record<string, unknown>;

/** A pipeline with one version holding these steps and edges, written straight to D1. */
export async function seedPipeline(
  user: TestUser,
  graph: { steps: StepInput[]; edges?: { from: string; to: string; condition?: unknown }[] },
  opts: { concurrency?: 'reject' | 'enqueue' | 'interrupt' | 'allow'; projectId?: string | null } = {},
) {
  const snapshot = SnapshotSchema.parse({
    steps: graph.steps.map((s) => ({ name: s.key, ...s })),
    edges: graph.edges ?? [],
  });
  const now = Date.now();
  const pipelineId = newId('pip', now);
  const versionId = newId('pv', now);
  const db = createDb(env.DB);
  await db.batch([
    db.insert(pipelines).values({
      id: pipelineId,
      orgId: user.orgId,
      projectId: opts.projectId ?? null,
      name: 'test pipeline',
      description: null,
      concurrency: opts.concurrency ?? 'allow',
      currentVersionId: versionId,
      currentVersion: 1,
      isDefault: false,
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(pipelineVersions).values({
      id: versionId,
      orgId: user.orgId,
      pipelineId,
      version: 1,
      snapshot,
      createdBy: user.id,
      createdAt: now,
    }),
  ]);
  return { pipelineId, versionId };
}

/**
 * The STEPS queue, driven by the test: messages the run objects send are held here, and `drain`
 * delivers them through the Worker's real queue handler until none is left, so a run advances
 * deterministically, one batch at a time, with no waiting.
 */
export function stepQueue() {
  const held: StepMessage[] = [];
  const spy = vi.spyOn(env.STEPS, 'sendBatch').mockImplementation(async (messages) => {
    for (const m of messages) held.push(m.body);
    return { metadata: { metrics: { backlogCount: held.length, backlogBytes: 0 } } };
  });
  onTestFinished(() => spy.mockRestore());
  let seq = 0;
  const deliver = async (bodies: StepMessage[], queue = 'foreman-steps', attempts = 1) => {
    const batch = createMessageBatch<StepMessage>(
      queue,
      bodies.map((body) => ({ id: `msg-${seq++}`, timestamp: new Date(), attempts, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    return getQueueResult(batch, ctx);
  };
  return {
    /** Takes the messages sent so far (they are no longer held). */
    take: () => held.splice(0),
    held: () => [...held],
    deliver,
    /** Delivers held messages, and those their processing sends, until none is left. */
    async drain() {
      let delivered = 0;
      for (let batch = held.splice(0); batch.length > 0; batch = held.splice(0)) {
        delivered += batch.length;
        await deliver(batch);
      }
      return delivered;
    },
  };
}

export const runsPath = (user: TestUser, rest = '') => orgPath(user.orgId, `/runs${rest}`);

export async function startRun(user: TestUser, body: Record<string, unknown>) {
  const res = await call(runsPath(user), { token: user.token, body });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; status: string; steps: { key: string; state: string }[] };
}

export async function getRun(user: TestUser, runId: string) {
  const res = await call(runsPath(user, `/${runId}`), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.json as {
    id: string;
    status: string;
    error: string | null;
    steps: { key: string; state: string; output: unknown; attempt: number; error: string | null }[];
  };
}

export const stepStates = (run: Awaited<ReturnType<typeof getRun>>) =>
  Object.fromEntries(run.steps.map((s) => [s.key, s.state]));

/** The run's object, for driving its alarm or playing a consumer that claimed and then died. */
export const runStub = (runId: string) => env.PIPELINE_RUN.get(env.PIPELINE_RUN.idFromName(runId));

/** Runs the object's alarm now (deadlines are checked against the mocked clock). */
export const fireAlarm = (runId: string) => runDurableObjectAlarm(runStub(runId));

export async function runEvents(user: TestUser, runId: string, after = 0) {
  const res = await call(runsPath(user, `/${runId}/events?after=${after}&limit=200`), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.json as {
    data: { seq: number; type: string; payload: Record<string, unknown> }[];
    gap: unknown;
  };
}

export const FIXTURE_STEP_HOST = 'api.fixture-steps.com';

/** Routes the platform's requests for the fixture host to `handler`; others go out as usual. */
export function stepFixture(handler: (request: Request) => Response | Promise<Response>) {
  const original = globalThis.fetch;
  const seen: Request[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (new URL(request.url).host !== FIXTURE_STEP_HOST) return original(input as RequestInfo, init);
    seen.push(request.clone());
    return handler(request);
  });
  onTestFinished(() => spy.mockRestore());
  return seen;
}
