import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  orgPath,
  type TestUser,
  transformStep,
} from '../support';

let u: TestUser;
let other: TestUser;
beforeAll(async () => {
  [u, other] = await Promise.all([newUser('Templater'), newUser('Elsewhere')]);
});

const templates = (user: TestUser, rest = '') => orgPath(user.orgId, `/pipeline-templates${rest}`);

async function newTemplate(user: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(templates(user), {
    token: user.token,
    body: {
      name: 'Two steps',
      steps: [transformStep('a'), { key: 'b', name: 'B', kind: 'agent', config: { prompt: 'Go' } }],
      edges: [{ from: 'a', to: 'b' }],
      ...body,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

describe('pipeline templates', () => {
  it('lists the built-in templates first: plan → implement → review, a council, a triage with approval', async () => {
    const res = await call(templates(u), { token: u.token });
    expect(res.status, res.text).toBe(200);
    const builtins = res.json.data.filter((t: { builtin: boolean }) => t.builtin);
    expect(builtins.map((t: { id: string }) => t.id)).toEqual([
      'plt_plan-implement-review',
      'plt_research-council',
      'plt_ticket-triage',
    ]);
    const [plan, research, triage] = builtins;
    expect(plan.edges).toEqual([
      { from: 'plan', to: 'implement' },
      { from: 'implement', to: 'review' },
    ]);
    expect(plan.unbound).toEqual(['plan', 'implement', 'review']);
    expect(research.steps.map((s: { kind: string }) => s.kind)).toContain('council');
    expect(triage.steps.map((s: { kind: string }) => s.kind)).toContain('approval');
    const one = await call(templates(u, '/plt_ticket-triage'), { token: u.token });
    expect(one.json).toEqual(triage);
  });

  it('makes a pipeline from a built-in template, binding its agents', async () => {
    const [planner, coder] = await Promise.all([newAgent(u), newAgent(u)]);
    const res = await call(templates(u, '/plt_plan-implement-review/pipelines'), {
      token: u.token,
      body: { agent_id: planner.id, bindings: { implement: coder.id }, is_default: true },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ name: 'Plan → implement → review', version: 1, is_default: true });
    expect(res.json.steps.map((s: { config: { agent_id: string } }) => s.config.agent_id)).toEqual([
      planner.id,
      coder.id,
      planner.id,
    ]);
  });

  it('refuses a pipeline from a template with steps left unbound or bound to unknown agents', async () => {
    const unbound = await call(templates(u, '/plt_research-council/pipelines'), { token: u.token, body: {} });
    const problem = expectProblem(unbound, 422);
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual([
      'bindings.frame',
      'bindings.deliberate',
    ]);

    const theirs = await newAgent(other);
    const foreign = await call(templates(u, '/plt_plan-implement-review/pipelines'), {
      token: u.token,
      body: { agent_id: theirs.id },
    });
    expect(expectProblem(foreign, 422).errors).toHaveLength(3);
  });

  it('creates, changes, instantiates and deletes the organization’s own template', async () => {
    const t = await newTemplate(u);
    expect(t).toMatchObject({ builtin: false, unbound: ['b'], concurrency: 'reject' });

    const patched = await call(templates(u, `/${t.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { name: 'Renamed', edges: [] },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ name: 'Renamed', edges: [], steps: [{ key: 'a' }, { key: 'b' }] });

    const agent = await newAgent(u);
    const made = await call(templates(u, `/${t.id}/pipelines`), {
      token: u.token,
      body: { name: 'From mine', agent_id: agent.id },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json).toMatchObject({ name: 'From mine', edges: [] });

    const listed = await call(templates(u, '?limit=100'), { token: u.token });
    expect(listed.json.data.map((x: { id: string }) => x.id)).toContain(t.id);

    expect((await call(templates(u, `/${t.id}`), { method: 'DELETE', token: u.token })).status).toBe(204);
    expectProblem(await call(templates(u, `/${t.id}`), { token: u.token }), 404);
  });

  it('refuses a template whose edges form a cycle or dangle', async () => {
    const cycle = await call(templates(u), {
      token: u.token,
      body: {
        name: 'Loop',
        steps: [transformStep('a'), transformStep('b')],
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
      },
    });
    expect(expectProblem(cycle, 409).detail).toBe('The edges form a cycle: a → b → a');
    const dangling = await call(templates(u), {
      token: u.token,
      body: { name: 'Loose', steps: [transformStep('a')], edges: [{ from: 'a', to: 'b' }] },
    });
    expectProblem(dangling, 422);
  });

  it('keeps built-in templates read-only', async () => {
    const patch = await call(templates(u, '/plt_ticket-triage'), {
      method: 'PATCH',
      token: u.token,
      body: { name: 'x' },
    });
    expectProblem(patch, 409);
    expectProblem(await call(templates(u, '/plt_ticket-triage'), { method: 'DELETE', token: u.token }), 409);
  });

  it('hides another organization’s templates (404) and keeps viewers and other scopes out of writes', async () => {
    const theirs = await newTemplate(other);
    expectProblem(await call(templates(u, `/${theirs.id}`), { token: u.token }), 404);
    expectProblem(await call(templates(u, `/${theirs.id}`), { method: 'DELETE', token: u.token }), 404);
    expectProblem(await call(templates(u, `/${theirs.id}/pipelines`), { token: u.token, body: {} }), 404);
    const listed = await call(templates(u, '?limit=100'), { token: u.token });
    expect(listed.json.data.map((x: { id: string }) => x.id)).not.toContain(theirs.id);

    const viewer = await newUser('Viewer');
    await addMember(u, u.orgId, viewer, 'viewer');
    expect((await call(templates(u), { token: viewer.token })).status).toBe(200);
    expectProblem(await call(templates(u), { token: viewer.token, body: { name: 'v' } }), 403);
    const key = await newApiKey(u, u.orgId, ['agents:read']);
    expectProblem(await call(templates(u), { token: key.key }), 403);
  });
});
