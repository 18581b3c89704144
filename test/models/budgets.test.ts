import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { streamModel } from '../../src/domain/models/gateway';
import {
  aiLogs,
  call,
  expectProblem,
  fakeProvider,
  newModel,
  newUser,
  orgPath,
  useFakeOpenAI,
} from '../support';

const fixture = useFakeOpenAI();

const budget = async (token: string, orgId: string, body: unknown) => {
  const res = await call(orgPath(orgId, '/budgets'), { token, body });
  expect(res.status, res.text).toBe(201);
  return res.json;
};

describe('budgets', () => {
  it('refuses with 402 naming limit, spend and reset before calling the provider', async () => {
    const u = await newUser();
    const fake = await fakeProvider(u.token, u.orgId);
    const model = await newModel(u.token, u.orgId, { provider_id: fake.id, provider_model_id: 'fake-echo' });
    const b = await budget(u.token, u.orgId, { metric: 'tokens', limit: 1 });
    expect(b).toMatchObject({ scope: 'organization', limit: 1, spent: 0, remaining: 1 });
    // The first call reserves what it may use and goes through; it spends more than the limit.
    const first = await call(orgPath(u.orgId, `/models/${model.id}/test`), {
      token: u.token,
      body: { prompt: 'hi' },
    });
    expect(first.json).toMatchObject({ ok: true });
    await aiLogs(u.token, u.orgId, 1);
    const seen = fixture().seen.length;
    const refused = expectProblem(
      await call(orgPath(u.orgId, `/models/${model.id}/test`), { token: u.token, body: { prompt: 'again' } }),
      402,
    );
    expect(refused).toMatchObject({
      scope: 'organization',
      metric: 'tokens',
      limit: 1,
      spent: expect.any(Number),
    });
    expect(refused.resets_at).toMatch(/^\d{4}-\d{2}-01T00:00:00.000Z$/);
    expect(fixture().seen.length).toBe(seen);
    const after = (await call(orgPath(u.orgId, `/budgets/${b.id}`), { token: u.token })).json;
    expect(after).toMatchObject({ reserved: 0, remaining: 0 });
    expect(after.spent).toBeGreaterThan(1);
  });

  it('lets 10 concurrent calls on a nearly spent budget overspend by at most one call’s maximum', async () => {
    const u = await newUser();
    const b = await budget(u.token, u.orgId, { metric: 'tokens', limit: 1000, soft_threshold: 0.5 });
    const maxOutputTokens = 50;
    const run = async (text: string) => {
      const parts = [];
      for await (const part of streamModel(env, {
        caller: { orgId: u.orgId, purpose: 'chat' },
        messages: [{ role: 'user', content: text }],
        maxOutputTokens,
      }))
        parts.push(part);
      return parts;
    };
    // Spend most of the budget: 960 words echoed back.
    await run(Array.from({ length: 480 }, () => 'w').join(' '));
    const before = (await call(orgPath(u.orgId, `/budgets/${b.id}`), { token: u.token })).json;
    expect(before.spent).toBeGreaterThan(900);
    const results = await Promise.all(Array.from({ length: 10 }, () => run('one two three')));
    const refused = results.filter((r) => r.some((p) => p.type === 'error' && p.kind === 'budget_exceeded'));
    expect(refused.length).toBeGreaterThanOrEqual(9);
    const final = (await call(orgPath(u.orgId, `/budgets/${b.id}`), { token: u.token })).json;
    expect(final.reserved).toBe(0);
    expect(final.spent - 1000).toBeLessThanOrEqual(maxOutputTokens + 20);
    // The soft threshold was crossed once: one event for the period.
    const events = await call(orgPath(u.orgId, '/activity?limit=100'), { token: u.token });
    expect(
      events.json.data.filter((e: { action: string }) => e.action === 'budget.threshold_reached'),
    ).toHaveLength(1);
  });

  it('validates, conflicts on a second budget of a scope, and hides other organizations’ budgets', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    expectProblem(
      await call(orgPath(a.orgId, '/budgets'), { token: a.token, body: { metric: 'tokens', limit: 1.5 } }),
      422,
    );
    expectProblem(
      await call(orgPath(a.orgId, '/budgets'), { token: a.token, body: { metric: 'coins', limit: 1 } }),
      422,
    );
    await budget(a.token, a.orgId, { metric: 'cost', limit: 2.5 });
    expectProblem(
      await call(orgPath(a.orgId, '/budgets'), { token: a.token, body: { metric: 'cost', limit: 3 } }),
      409,
    );
    const theirs = await budget(b.token, b.orgId, { metric: 'tokens', limit: 10 });
    for (const method of ['GET', 'PATCH', 'DELETE'])
      expectProblem(
        await call(orgPath(a.orgId, `/budgets/${theirs.id}`), {
          method,
          token: a.token,
          body: method === 'PATCH' ? { limit: 5 } : undefined,
        }),
        404,
      );
    expectProblem(
      await call(orgPath(a.orgId, '/budgets'), {
        token: a.token,
        body: { metric: 'tokens', limit: 5, agent_id: 'agt_0000000000zzzzzzzzzzzzzzzz' },
      }),
      422,
    );
  });
});
