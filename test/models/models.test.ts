import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { agentRoles, agents } from '../../src/db/schema';
import {
  aiLogs,
  call,
  expectProblem,
  FAKE_OPENAI_KEY,
  fakeProvider,
  newModel,
  newUser,
  orgPath,
  unique,
  useFakeOpenAI,
} from '../support';

useFakeOpenAI();

async function devProvider(token: string, orgId: string) {
  const res = await call(orgPath(orgId, '/providers'), { token, body: { kind: 'dev', name: unique('dev') } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string };
}

describe('models', () => {
  it('lists the built-in development model, labelled, as the default of a new organization', async () => {
    const u = await newUser();
    const res = await call(orgPath(u.orgId, '/models'), { token: u.token });
    expect(res.json.data).toEqual([
      expect.objectContaining({ id: 'dev', provider_kind: 'dev', dev: true, built_in: true, default: true }),
    ]);
    expectProblem(await call(orgPath(u.orgId, '/models/dev'), { method: 'DELETE', token: u.token }), 409);
  });

  it('resolves explicit → agent → role → routing → default, and explains why', async () => {
    const u = await newUser();
    const p = await devProvider(u.token, u.orgId);
    const [explicit, ofAgent, ofRole, routed, fallback] = await Promise.all(
      ['explicit', 'agent', 'role', 'routed', 'default'].map((n) =>
        newModel(u.token, u.orgId, { name: unique(n), provider_id: p.id, provider_model_id: 'dev-echo' }),
      ),
    );
    const role = (await call(orgPath(u.orgId, '/roles'), { token: u.token })).json.data[0];
    const agent = (
      await call(orgPath(u.orgId, '/agents'), {
        token: u.token,
        body: { name: unique('a'), role_id: role.id },
      })
    ).json;
    const db = createDb(env.DB);
    await call(orgPath(u.orgId, `/models/${fallback!.id}/default`), { method: 'POST', token: u.token });
    const put = await call(orgPath(u.orgId, '/models/routing'), {
      method: 'PUT',
      token: u.token,
      body: { rules: [{ match: 'topic', value: 'Billing', model_id: routed!.id }] },
    });
    expect(put.json).toMatchObject({
      default_model_id: fallback!.id,
      rules: [{ match: 'topic', value: 'Billing' }],
    });
    const resolve = (body: unknown) => call(orgPath(u.orgId, '/models/resolve'), { token: u.token, body });

    expect((await resolve({})).json).toMatchObject({ source: 'default', model: { id: fallback!.id } });
    expect((await resolve({ topic: 'billing' })).json).toMatchObject({
      source: 'routing',
      model: { id: routed!.id },
    });
    // Routing is kept a second per isolate; a change to it counts at once all the same.
    const route = (value: string) =>
      call(orgPath(u.orgId, '/models/routing'), {
        method: 'PUT',
        token: u.token,
        body: { rules: [{ match: 'topic', value, model_id: routed!.id }] },
      });
    await route('Support');
    expect((await resolve({ topic: 'billing' })).json).toMatchObject({ source: 'default' });
    await call(orgPath(u.orgId, `/models/${explicit!.id}/default`), { method: 'POST', token: u.token });
    expect((await resolve({})).json).toMatchObject({ source: 'default', model: { id: explicit!.id } });
    await route('Billing');
    await db.update(agentRoles).set({ modelId: ofRole!.id }).where(eq(agentRoles.id, role.id));
    expect((await resolve({ topic: 'billing', agent_id: agent.id })).json).toMatchObject({
      source: 'role',
      model: { id: ofRole!.id },
    });
    await db.update(agents).set({ modelId: ofAgent!.id }).where(eq(agents.id, agent.id));
    const byAgent = (await resolve({ topic: 'billing', agent_id: agent.id })).json;
    expect(byAgent).toMatchObject({ source: 'agent', model: { id: ofAgent!.id } });
    expect(byAgent.steps).toEqual([expect.objectContaining({ source: 'agent', outcome: 'chosen' })]);
    // The agent's free-text model may name a registry model by its name.
    await db.update(agents).set({ modelId: null, model: ofAgent!.name }).where(eq(agents.id, agent.id));
    expect((await resolve({ agent_id: agent.id })).json).toMatchObject({
      source: 'agent',
      model: { id: ofAgent!.id },
    });
    await db.update(agents).set({ modelId: ofAgent!.id, model: null }).where(eq(agents.id, agent.id));
    const named = (await resolve({ model: explicit!.id, agent_id: agent.id })).json;
    expect(named).toMatchObject({ source: 'explicit', model: { id: explicit!.id } });
    // A disabled model is passed over, and the steps say so.
    await call(orgPath(u.orgId, `/models/${ofAgent!.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { enabled: false },
    });
    const passed = (await resolve({ agent_id: agent.id })).json;
    expect(passed.source).toBe('role');
    expect(passed.steps[0]).toMatchObject({ source: 'agent', outcome: 'disabled' });
    expectProblem(await resolve({ agent_id: 'agt_0000000000zzzzzzzzzzzzzzzz' }), 422);
  });

  it('falls back from a model answering 503 to the next, logging both attempts', async () => {
    const u = await newUser();
    const dev = await devProvider(u.token, u.orgId);
    const fake = await fakeProvider(u.token, u.orgId);
    const second = await newModel(u.token, u.orgId, { provider_id: fake.id, provider_model_id: 'fake-echo' });
    const first = await newModel(u.token, u.orgId, {
      provider_id: dev.id,
      provider_model_id: 'dev-echo',
      fallbacks: [second.id],
    });
    const res = await call(orgPath(u.orgId, `/models/${first.id}/test`), {
      token: u.token,
      body: { prompt: 'hello [[fail:503]]' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ ok: true, attempt: 2, model: { id: second.id, dev: false } });
    expect(res.json.reply).toBe('Echo: hello [[fail:503]]');
    expect(res.json.usage.output_tokens).toBeGreaterThan(0);
    const rows = await aiLogs(u.token, u.orgId, 2);
    expect(rows.map((r) => [r.attempt, r.model_id, r.status, r.http_status, r.purpose])).toEqual([
      [2, second.id, 'ok', null, 'model_test'],
      [1, first.id, 'error', 503, 'model_test'],
    ]);
    expect(rows[0]!.call_id).toBe(rows[1]!.call_id);
    expect(JSON.stringify(rows)).not.toContain(FAKE_OPENAI_KEY);
    const health = await call(orgPath(u.orgId, '/models/health'), { token: u.token });
    expect(health.json.models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model_id: first.id, success_rate: 0, error_kinds: { provider: 1 } }),
        expect.objectContaining({ model_id: second.id, success_rate: 1 }),
      ]),
    );
  });

  it('answers 404 for another organization’s model on every model route', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    const p = await devProvider(b.token, b.orgId);
    const theirs = await newModel(b.token, b.orgId, { provider_id: p.id, provider_model_id: 'dev-echo' });
    for (const [method, rest, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/default', undefined],
      ['POST', '/test', { prompt: 'hi' }],
    ] as const)
      expectProblem(
        await call(orgPath(a.orgId, `/models/${theirs.id}${rest}`), { method, token: a.token, body }),
        404,
      );
    // Naming it in a body of one's own organization is a 422, not a leak.
    expectProblem(
      await call(orgPath(a.orgId, '/models/routing'), {
        method: 'PUT',
        token: a.token,
        body: { rules: [{ match: 'tag', value: 'x', model_id: theirs.id }] },
      }),
      422,
    );
    expect(
      (await call(orgPath(a.orgId, '/models/resolve'), { token: a.token, body: { model: theirs.id } })).json,
    ).toMatchObject({
      model: null,
      steps: [{ outcome: 'missing' }],
    });
  });
});
