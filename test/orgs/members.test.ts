import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newUser } from '../support';

const members = (orgId: string) => `/api/v1/orgs/${orgId}/members`;

describe('members', () => {
  it('lists members with roles to any member', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const res = await call(members(owner.orgId), { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user_id: owner.id, role: 'owner' }),
        expect.objectContaining({ user_id: viewer.id, role: 'viewer' }),
      ]),
    );
  });

  it('adds an existing user; unknown emails are 404 and duplicates 409', async () => {
    const owner = await newUser();
    const other = await newUser();
    await addMember(owner, owner.orgId, other, 'member');
    expectProblem(
      await call(members(owner.orgId), { token: owner.token, body: { email: other.email, role: 'member' } }),
      409,
    );
    expectProblem(
      await call(members(owner.orgId), {
        token: owner.token,
        body: { email: 'nobody@example.com', role: 'member' },
      }),
      404,
    );
    expectProblem(
      await call(members(owner.orgId), { token: owner.token, body: { email: 'x', role: 'chief' } }),
      422,
    );
  });

  it('lets admins manage members but not grant owner; members cannot manage at all', async () => {
    const owner = await newUser();
    const admin = await newUser();
    const member = await newUser();
    const extra = await newUser();
    await addMember(owner, owner.orgId, admin, 'admin');
    await addMember(owner, owner.orgId, member, 'member');
    expectProblem(
      await call(members(owner.orgId), { token: member.token, body: { email: extra.email, role: 'viewer' } }),
      403,
    );
    expectProblem(
      await call(members(owner.orgId), { token: admin.token, body: { email: extra.email, role: 'owner' } }),
      403,
    );
    await addMember(admin, owner.orgId, extra, 'viewer');
    const changed = await call(`${members(owner.orgId)}/${extra.id}`, {
      method: 'PATCH',
      token: admin.token,
      body: { role: 'member' },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.role).toBe('member');
    expectProblem(
      await call(`${members(owner.orgId)}/${owner.id}`, {
        method: 'PATCH',
        token: admin.token,
        body: { role: 'viewer' },
      }),
      403,
    );
  });

  it('never removes or demotes the last owner', async () => {
    const owner = await newUser();
    expectProblem(
      await call(`${members(owner.orgId)}/${owner.id}`, {
        method: 'PATCH',
        token: owner.token,
        body: { role: 'admin' },
      }),
      409,
    );
    expectProblem(
      await call(`${members(owner.orgId)}/${owner.id}`, { method: 'DELETE', token: owner.token }),
      409,
    );
  });

  it('keeps an owner when two owners are demoted at the same moment', async () => {
    const a = await newUser();
    const b = await newUser();
    await addMember(a, a.orgId, b, 'owner');
    const results = await Promise.all([
      call(`${members(a.orgId)}/${a.id}`, { method: 'PATCH', token: b.token, body: { role: 'admin' } }),
      call(`${members(a.orgId)}/${b.id}`, { method: 'PATCH', token: a.token, body: { role: 'admin' } }),
    ]);
    const list = await call(members(a.orgId), { token: a.token });
    expect(list.json.data.filter((m: any) => m.role === 'owner').length).toBeGreaterThanOrEqual(1);
    expect(results.some((r) => r.status === 200)).toBe(true);
  });

  it('lets a member leave, removing their access at once', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    expect(
      (await call(`${members(owner.orgId)}/${member.id}`, { method: 'DELETE', token: member.token })).status,
    ).toBe(204);
    expectProblem(await call(members(owner.orgId), { token: member.token }), 404);
  });

  it('does not let a member remove someone else', async () => {
    const owner = await newUser();
    const member = await newUser();
    const other = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    await addMember(owner, owner.orgId, other, 'member');
    expectProblem(
      await call(`${members(owner.orgId)}/${other.id}`, { method: 'DELETE', token: member.token }),
      403,
    );
  });

  it("hides another organization's members behind 404", async () => {
    const a = await newUser();
    const b = await newUser();
    expectProblem(await call(members(b.orgId), { token: a.token }), 404);
    expectProblem(
      await call(members(b.orgId), { token: a.token, body: { email: a.email, role: 'owner' } }),
      404,
    );
    expectProblem(await call(`${members(b.orgId)}/${b.id}`, { method: 'DELETE', token: a.token }), 404);
  });

  it('records member changes in the activity log', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const log = await call(`/api/v1/orgs/${owner.orgId}/activity?action=member.added`, {
      token: owner.token,
    });
    expect(log.json.data[0]).toMatchObject({
      action: 'member.added',
      actor: { type: 'user', id: owner.id },
      entity: { type: 'user', id: member.id },
    });
  });
});
