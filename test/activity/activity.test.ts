import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newUser } from '../support';

const activity = (orgId: string, q = '') => `/api/v1/orgs/${orgId}/activity${q}`;

describe('activity log', () => {
  it('records state changes with actor, action, entity and ip, newest first', async () => {
    const u = await newUser();
    await call(`/api/v1/orgs/${u.orgId}/teams`, {
      token: u.token,
      body: { name: 'Log me' },
      ip: '203.0.113.9',
    });
    const res = await call(activity(u.orgId), { token: u.token });
    expect(res.status).toBe(200);
    expect(res.json.data[0]).toMatchObject({
      action: 'team.created',
      actor: { type: 'user', id: u.id },
      entity: { type: 'team' },
      ip: '203.0.113.9',
    });
    const actions = res.json.data.map((e: any) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.registered', 'organization.created', 'user.logged_in']),
    );
  });

  it('filters by action, entity, actor and time range', async () => {
    const u = await newUser();
    const team = (await call(`/api/v1/orgs/${u.orgId}/teams`, { token: u.token, body: { name: 'Filter' } }))
      .json;
    const byAction = await call(activity(u.orgId, '?action=team.created'), { token: u.token });
    expect(byAction.json.data).toHaveLength(1);
    const byEntity = await call(activity(u.orgId, `?entity_type=team&entity_id=${team.id}`), {
      token: u.token,
    });
    expect(byEntity.json.data.map((e: any) => e.action)).toEqual(['team.created']);
    const byActor = await call(activity(u.orgId, `?actor_type=user&actor_id=${u.id}`), { token: u.token });
    expect(byActor.json.data.length).toBeGreaterThanOrEqual(4);
    const future = await call(activity(u.orgId, `?since=${new Date(Date.now() + 3_600_000).toISOString()}`), {
      token: u.token,
    });
    expect(future.json.data).toEqual([]);
    expectProblem(await call(activity(u.orgId, '?since=yesterday'), { token: u.token }), 422);
  });

  it('pages through entries with a cursor without repeating any', async () => {
    const u = await newUser();
    for (let i = 0; i < 4; i++)
      await call(`/api/v1/orgs/${u.orgId}/teams`, { token: u.token, body: { name: `t${i}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const page = await call(activity(u.orgId, q), { token: u.token });
      seen.push(...page.json.data.map((e: any) => e.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(7);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('counts entries by action and by day', async () => {
    const u = await newUser();
    await call(`/api/v1/orgs/${u.orgId}/teams`, { token: u.token, body: { name: 'Stats' } });
    const res = await call(activity(u.orgId, '/stats'), { token: u.token });
    expect(res.status).toBe(200);
    expect(res.json.by_action).toEqual(expect.arrayContaining([{ action: 'team.created', count: 1 }]));
    expect(res.json.by_day).toEqual([{ day: new Date().toISOString().slice(0, 10), count: res.json.total }]);
  });

  it('lets viewers read it and hides it from other organizations', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const outsider = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    expect((await call(activity(owner.orgId), { token: viewer.token })).status).toBe(200);
    expectProblem(await call(activity(owner.orgId), { token: outsider.token }), 404);
    expectProblem(await call(activity(owner.orgId, '/stats'), { token: outsider.token }), 404);
    expectProblem(await call(activity(owner.orgId)), 401);
  });
});
