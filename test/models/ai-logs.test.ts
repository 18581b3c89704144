import { describe, expect, it } from 'vitest';
import { addMember, aiLogs, call, expectProblem, newApiKey, newUser, orgPath } from '../support';

const test = (token: string, orgId: string, prompt: string) =>
  call(orgPath(orgId, '/models/dev/test'), { token, body: { prompt } });

describe('AI logs, stats and usage', () => {
  it('filters the log by model, status and purpose, and sums it up by day, model and purpose', async () => {
    const u = await newUser();
    expect((await test(u.token, u.orgId, 'one two')).json).toMatchObject({
      ok: true,
      reply: 'You said: one two',
    });
    expect((await test(u.token, u.orgId, 'boom [[fail:500]]')).json).toMatchObject({
      ok: false,
      error: { kind: 'provider', status: 500 },
    });
    const rows = await aiLogs(u.token, u.orgId, 2);
    expect(rows[0]).toMatchObject({ status: 'error', error_kind: 'provider', dev: true, user_id: u.id });
    const failed = await aiLogs(
      u.token,
      u.orgId,
      1,
      '&status=error&model=dev&purpose=model_test&provider=dev',
    );
    expect(failed).toHaveLength(1);
    expect(await aiLogs(u.token, u.orgId, 0, '&purpose=chat')).toEqual([]);
    const page = await call(orgPath(u.orgId, '/ai-logs?limit=1'), { token: u.token });
    const next = await call(orgPath(u.orgId, `/ai-logs?limit=1&cursor=${page.json.next_cursor}`), {
      token: u.token,
    });
    expect(next.json.data[0].id).toBe(rows[1]!.id);

    const stats = await call(orgPath(u.orgId, '/ai-logs/stats'), { token: u.token });
    expect(stats.json).toMatchObject({
      totals: { calls: 2, ok: 1, errors: 1, output_tokens: 4 },
      error_kinds: { provider: 1 },
      by_model: [{ key: 'dev', calls: 2 }],
    });
    const usage = await call(orgPath(u.orgId, '/usage'), { token: u.token });
    expect(usage.json).toMatchObject({
      totals: { calls: 2 },
      by_day: [{ key: new Date().toISOString().slice(0, 10), calls: 2 }],
      by_purpose: [{ key: 'model_test', calls: 2 }],
      by_user: [{ key: u.id, calls: 2 }],
    });
    expectProblem(
      await call(orgPath(u.orgId, '/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), {
        token: u.token,
      }),
      422,
    );
  });

  it('keeps each organization’s log its own and needs models:read', async () => {
    const [a, b, viewer] = await Promise.all([newUser(), newUser(), newUser()]);
    await addMember(a, a.orgId, viewer, 'viewer');
    await test(b.token, b.orgId, 'secret plans');
    await aiLogs(b.token, b.orgId, 1);
    expect((await call(orgPath(a.orgId, '/ai-logs'), { token: a.token })).json.data).toEqual([]);
    expect((await call(orgPath(a.orgId, '/ai-logs/stats'), { token: a.token })).json.totals.calls).toBe(0);
    expectProblem(await call(orgPath(b.orgId, '/ai-logs'), { token: a.token }), 404);
    expectProblem(await call(orgPath(b.orgId, '/usage'), { token: a.token }), 404);
    expect((await call(orgPath(a.orgId, '/ai-logs'), { token: viewer.token })).status).toBe(200);
    expectProblem(await test(viewer.token, a.orgId, 'hi'), 403);
    const { key } = await newApiKey(a, a.orgId, ['jobs:read']);
    expectProblem(await call(orgPath(a.orgId, '/ai-logs'), { token: key }), 403);
    expectProblem(await call(orgPath(a.orgId, '/ai-logs')), 401);
  });
});
