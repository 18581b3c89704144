import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newUser } from '../support';

const teams = (orgId: string) => `/api/v1/orgs/${orgId}/teams`;

describe('teams', () => {
  it('creates, renames, lists and deletes a team', async () => {
    const owner = await newUser();
    const created = await call(teams(owner.orgId), { token: owner.token, body: { name: 'Platform' } });
    expect(created.status, created.text).toBe(201);
    const renamed = await call(`${teams(owner.orgId)}/${created.json.id}`, {
      method: 'PATCH',
      token: owner.token,
      body: { name: 'Infra', description: 'Keeps the lights on' },
    });
    expect(renamed.json).toMatchObject({ name: 'Infra', description: 'Keeps the lights on' });
    expect((await call(teams(owner.orgId), { token: owner.token })).json.data).toHaveLength(1);
    expect(
      (await call(`${teams(owner.orgId)}/${created.json.id}`, { method: 'DELETE', token: owner.token }))
        .status,
    ).toBe(204);
    expectProblem(await call(`${teams(owner.orgId)}/${created.json.id}`, { token: owner.token }), 404);
  });

  it('refuses duplicate names and invalid bodies', async () => {
    const owner = await newUser();
    await call(teams(owner.orgId), { token: owner.token, body: { name: 'Dup' } });
    expectProblem(await call(teams(owner.orgId), { token: owner.token, body: { name: 'Dup' } }), 409);
    expectProblem(await call(teams(owner.orgId), { token: owner.token, body: { name: '' } }), 422);
  });

  it('puts organization members in teams and takes them out', async () => {
    const owner = await newUser();
    const member = await newUser();
    const outsider = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const team = (await call(teams(owner.orgId), { token: owner.token, body: { name: 'Core' } })).json;
    const m = `${teams(owner.orgId)}/${team.id}/members`;
    expect((await call(`${m}/${member.id}`, { method: 'PUT', token: owner.token })).status).toBe(204);
    expect((await call(`${m}/${member.id}`, { method: 'PUT', token: owner.token })).status).toBe(204);
    expectProblem(await call(`${m}/${outsider.id}`, { method: 'PUT', token: owner.token }), 404);
    expect((await call(m, { token: member.token })).json.data).toEqual([
      expect.objectContaining({ user_id: member.id }),
    ]);
    expect((await call(`${m}/${member.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expectProblem(await call(`${m}/${member.id}`, { method: 'DELETE', token: owner.token }), 404);
  });

  it('takes a member who leaves the organization out of its teams', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const team = (await call(teams(owner.orgId), { token: owner.token, body: { name: 'Leavers' } })).json;
    const m = `${teams(owner.orgId)}/${team.id}/members`;
    expect((await call(`${m}/${member.id}`, { method: 'PUT', token: owner.token })).status).toBe(204);
    const leave = `/api/v1/orgs/${owner.orgId}/members/${member.id}`;
    expect((await call(leave, { method: 'DELETE', token: member.token })).status).toBe(204);
    expect((await call(m, { token: owner.token })).json.data).toEqual([]);
  });

  it('logs each team membership change once, and a change that did nothing not at all', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const team = (await call(teams(owner.orgId), { token: owner.token, body: { name: 'Logged' } })).json;
    const m = `${teams(owner.orgId)}/${team.id}/members/${member.id}`;
    await Promise.all([
      call(m, { method: 'PUT', token: owner.token }),
      call(m, { method: 'PUT', token: owner.token }),
    ]);
    await call(m, { method: 'DELETE', token: owner.token });
    await call(m, { method: 'DELETE', token: owner.token });
    const log = await call(`/api/v1/orgs/${owner.orgId}/activity?entity_type=team&entity_id=${team.id}`, {
      token: owner.token,
    });
    expect(log.json.data.map((e: { action: string }) => e.action)).toEqual([
      'team.member_removed',
      'team.member_added',
      'team.created',
    ]);
  });

  it('lets viewers read teams but not change them', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    expect((await call(teams(owner.orgId), { token: viewer.token })).status).toBe(200);
    expectProblem(await call(teams(owner.orgId), { token: viewer.token, body: { name: 'Nope' } }), 403);
  });

  it("hides another organization's teams behind 404", async () => {
    const a = await newUser();
    const b = await newUser();
    const team = (await call(teams(b.orgId), { token: b.token, body: { name: 'Secret' } })).json;
    expectProblem(await call(`${teams(b.orgId)}/${team.id}`, { token: a.token }), 404);
    expectProblem(await call(`${teams(a.orgId)}/${team.id}`, { token: a.token }), 404);
    expectProblem(await call(teams(b.orgId), { token: a.token, body: { name: 'x' } }), 404);
  });
});
