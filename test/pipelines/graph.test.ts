import { beforeAll, describe, expect, it } from 'vitest';
import {
  agentStep,
  call,
  expectProblem,
  newAgent,
  newPipeline,
  newUser,
  orgPath,
  pipelinePath,
  type TestUser,
  transformStep,
} from '../support';

let u: TestUser;
let other: TestUser;
beforeAll(async () => {
  [u, other] = await Promise.all([newUser('Grapher'), newUser('Elsewhere')]);
});

const edit = (pipelineId: string, rest: string, method: string, body?: unknown) =>
  call(pipelinePath(u.orgId, pipelineId, rest), { method, token: u.token, body });

describe('steps and edges', () => {
  it('adds, changes and removes steps and edges, each change a new version', async () => {
    const p = await newPipeline(u);

    const added = await edit(p.id, '/steps', 'POST', transformStep('c', { retry: { max_attempts: 5 } }));
    expect(added.status, added.text).toBe(201);
    expect(added.json.version).toBe(2);
    expect(added.json.steps.at(-1)).toMatchObject({
      key: 'c',
      retry: { max_attempts: 5, backoff_ms: 1000 },
      timeout_ms: 300_000,
    });

    const linked = await edit(p.id, '/edges', 'POST', {
      from: 'b',
      to: 'c',
      condition: { path: 'verdict', equals: 'go' },
    });
    expect(linked.status, linked.text).toBe(201);
    expect(linked.json.version).toBe(3);

    const changed = await edit(p.id, '/steps/c', 'PATCH', {
      name: 'Wait a bit',
      kind: 'wait',
      config: { seconds: 30 },
      retry: { backoff_ms: 10 },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.steps.at(-1)).toMatchObject({
      key: 'c',
      name: 'Wait a bit',
      kind: 'wait',
      config: { seconds: 30 },
      retry: { max_attempts: 5, backoff_ms: 10 },
    });

    const unconditioned = await edit(p.id, '/edges/b/c', 'PATCH', { condition: null });
    expect(unconditioned.json.edges).toContainEqual({ from: 'b', to: 'c' });

    const steps = await edit(p.id, '/steps', 'GET');
    expect(steps.json).toMatchObject({ version: 5, data: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] });

    const unlinked = await edit(p.id, '/edges/a/b', 'DELETE');
    expect(unlinked.json.edges).toEqual([{ from: 'b', to: 'c' }]);
    // Removing a step takes its edges with it.
    const removed = await edit(p.id, '/steps/c', 'DELETE');
    expect(removed.json).toMatchObject({ version: 7, edges: [] });
    expect(removed.json.steps.map((s: { key: string }) => s.key)).toEqual(['a', 'b']);
    expect((await edit(p.id, '/edges', 'GET')).json).toEqual({ data: [], version: 7 });
  });

  it('refuses an edge that closes a cycle with a 409 naming its steps, and keeps the version', async () => {
    const p = await newPipeline(u, {
      steps: ['a', 'b', 'c'].map((k) => transformStep(k)),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ],
    });
    const res = await edit(p.id, '/edges', 'POST', { from: 'c', to: 'a' });
    expect(expectProblem(res, 409).detail).toBe('The edges form a cycle: a → b → c → a');
    expect((await edit(p.id, '', 'GET')).json.version).toBe(1);

    const created = await call(orgPath(u.orgId, '/pipelines'), {
      token: u.token,
      body: {
        name: 'loop',
        steps: [transformStep('x'), transformStep('y')],
        edges: [
          { from: 'x', to: 'y' },
          { from: 'y', to: 'x' },
        ],
      },
    });
    expect(expectProblem(created, 409).detail).toContain('x → y → x');
  });

  it('refuses a dangling edge, an unknown kind and a bad config with 422s naming the field', async () => {
    const p = await newPipeline(u);
    const dangling = await edit(p.id, '/edges', 'POST', { from: 'a', to: 'ghost' });
    expect(expectProblem(dangling, 422).errors).toEqual([
      { path: 'edges.1.to', message: 'No step has key "ghost"' },
    ]);

    const kind = await edit(p.id, '/steps', 'POST', { key: 'z', name: 'z', kind: 'teleport', config: {} });
    expect(expectProblem(kind, 422).errors[0].path).toBe('kind');

    const config = await edit(p.id, '/steps', 'POST', {
      key: 'z',
      name: 'z',
      kind: 'http',
      config: { url: 'ftp://x' },
    });
    expect(expectProblem(config, 422).errors[0].path).toBe('config.url');

    const needsConfig = await edit(p.id, '/steps/a', 'PATCH', { kind: 'wait' });
    expect(expectProblem(needsConfig, 422).errors[0].path).toBe('config');

    const createDangling = await call(orgPath(u.orgId, '/pipelines'), {
      token: u.token,
      body: { name: 'd', steps: [transformStep('x')], edges: [{ from: 'nope', to: 'x' }] },
    });
    expect(expectProblem(createDangling, 422).errors[0].path).toBe('edges.0.from');
    expect((await edit(p.id, '', 'GET')).json.version).toBe(1);
  });

  it('refuses a duplicate step key or edge with a 409 and a missing step or edge with a 404', async () => {
    const p = await newPipeline(u);
    expectProblem(await edit(p.id, '/steps', 'POST', transformStep('a')), 409);
    expectProblem(await edit(p.id, '/edges', 'POST', { from: 'a', to: 'b' }), 409);
    expectProblem(await edit(p.id, '/steps/nope', 'PATCH', { name: 'x' }), 404);
    expectProblem(await edit(p.id, '/edges/b/a', 'DELETE'), 404);
  });

  it('accepts only agents of the organization in agent steps', async () => {
    const mine = await newAgent(u);
    const theirs = await newAgent(other);
    const p = await newPipeline(u, { steps: [agentStep('think', mine.id)], edges: [] });
    expect(p.steps[0]).toMatchObject({ kind: 'agent', config: { agent_id: mine.id } });

    const foreign = await edit(p.id, '/steps', 'POST', agentStep('borrow', theirs.id));
    expect(expectProblem(foreign, 422).errors).toEqual([
      { path: 'steps.1.config.agent_id', message: `No agent ${theirs.id} in this organization` },
    ]);
    const council = await edit(p.id, '/steps', 'POST', {
      key: 'ask',
      name: 'ask',
      kind: 'council',
      config: { council_id: 'cnl_missing', prompt: 'Well?' },
    });
    expect(expectProblem(council, 422).errors[0].path).toBe('steps.1.config.council_id');
  });
});

describe('versions', () => {
  it('keeps every version as it was: old versions never change when the graph does', async () => {
    const p = await newPipeline(u);
    const v1 = await edit(p.id, `/versions/${p.version_id}`, 'GET');
    expect(v1.json).toMatchObject({
      id: p.version_id,
      version: 1,
      pipeline_id: p.id,
      edges: [{ from: 'a', to: 'b' }],
    });

    await edit(p.id, '/steps', 'POST', transformStep('c'));
    const replaced = await edit(p.id, '/versions', 'POST', { steps: [transformStep('solo')], edges: [] });
    expect(replaced.status, replaced.text).toBe(201);
    expect(replaced.json).toMatchObject({ version: 3, steps: [{ key: 'solo' }], edges: [] });

    expect((await edit(p.id, `/versions/${p.version_id}`, 'GET')).json).toEqual(v1.json);
    const byNumber = await edit(p.id, '/versions/2', 'GET');
    expect(byNumber.json.steps.map((s: { key: string }) => s.key)).toEqual(['a', 'b', 'c']);

    const list = await edit(p.id, '/versions?limit=2', 'GET');
    expect(list.json.data.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const next = await edit(p.id, `/versions?limit=2&cursor=${list.json.next_cursor}`, 'GET');
    expect(next.json).toMatchObject({
      data: [{ version: 3, id: replaced.json.version_id }],
      next_cursor: null,
    });
  });

  it('lets one of two edits made from the same version land and refuses the other', async () => {
    const p = await newPipeline(u);
    const results = await Promise.all(
      ['x', 'y', 'z'].map((k) => edit(p.id, '/steps', 'POST', transformStep(k))),
    );
    const landed = results.filter((r) => r.status === 201);
    expect(landed.length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 409);
    const now = await edit(p.id, '', 'GET');
    expect(now.json.version).toBe(1 + landed.length);
    expect(now.json.steps).toHaveLength(2 + landed.length);
  });

  it('answers 404 for a version of another pipeline', async () => {
    const p = await newPipeline(u);
    const q = await newPipeline(u);
    expectProblem(await edit(p.id, `/versions/${q.version_id}`, 'GET'), 404);
    expectProblem(await edit(p.id, '/versions/9', 'GET'), 404);
  });
});
