import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newUser, unique } from '../support';

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

  it('adds nobody without their consent: adding by email invites, and they join on accepting', async () => {
    const owner = await newUser();
    const other = await newUser();
    const invited = await call(members(owner.orgId), {
      token: owner.token,
      body: { email: other.email, role: 'member' },
    });
    expect(invited.status, invited.text).toBe(202);
    expect(invited.json.invite).toMatchObject({ email: other.email, role: 'member', invited_by: owner.id });
    // Not a member until they accept.
    expectProblem(await call(members(owner.orgId), { token: other.token }), 404);
    const list = await call(members(owner.orgId), { token: owner.token });
    expect(list.json.data.map((m: { user_id: string }) => m.user_id)).not.toContain(other.id);

    const accepted = await call('/api/v1/invites/accept', {
      token: other.token,
      body: { token: invited.json.token },
    });
    expect(accepted.json).toEqual({ organization_id: owner.orgId, role: 'member' });
    expect((await call(members(owner.orgId), { token: other.token })).status).toBe(200);
  });

  it('answers the same for an email with an account and one without, so it reveals neither', async () => {
    const owner = await newUser();
    const registered = await newUser();
    const unregistered = `${unique('nobody')}@example.com`;
    const shape = (res: Awaited<ReturnType<typeof call>>) => ({
      status: res.status,
      keys: Object.keys(res.json).sort(),
      invite: Object.keys(res.json.invite).sort(),
      role: res.json.invite.role,
    });
    const a = await call(members(owner.orgId), {
      token: owner.token,
      body: { email: registered.email, role: 'viewer' },
    });
    const b = await call(members(owner.orgId), {
      token: owner.token,
      body: { email: unregistered, role: 'viewer' },
    });
    expect(a.status, a.text).toBe(202);
    expect(shape(b)).toEqual(shape(a));
    // Both are mailed, and neither is a member yet.
    const outbox = await env.DB.prepare('SELECT COUNT(*) AS n FROM mail_outbox WHERE "to" IN (?, ?)')
      .bind(registered.email, unregistered)
      .first<{ n: number }>();
    expect(outbox?.n).toBe(2);
  });

  it('refuses an existing member or an open invite with 409, and bad input with 422', async () => {
    const owner = await newUser();
    const other = await newUser();
    await addMember(owner, owner.orgId, other, 'member');
    expectProblem(
      await call(members(owner.orgId), { token: owner.token, body: { email: other.email, role: 'member' } }),
      409,
    );
    const email = `${unique('twice')}@example.com`;
    expect(
      (await call(members(owner.orgId), { token: owner.token, body: { email, role: 'member' } })).status,
    ).toBe(202);
    expectProblem(
      await call(members(owner.orgId), { token: owner.token, body: { email, role: 'member' } }),
      409,
    );
    expectProblem(
      await call(members(owner.orgId), { token: owner.token, body: { email: 'x', role: 'chief' } }),
      422,
    );
    // Ownership is given to someone who has joined, never through an invite.
    expectProblem(
      await call(members(owner.orgId), {
        token: owner.token,
        body: { email: `${unique('o')}@example.com`, role: 'owner' },
      }),
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

  it('records member changes in the activity log, each with its change', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const log = async (action: string) =>
      (await call(`/api/v1/orgs/${owner.orgId}/activity?action=${action}`, { token: owner.token })).json.data;
    expect((await log('invite.created'))[0]).toMatchObject({ actor: { type: 'user', id: owner.id } });
    // The member joined by accepting: they are the actor of their own joining.
    expect((await log('member.added'))[0]).toMatchObject({
      actor: { type: 'user', id: member.id },
      entity: { type: 'user', id: member.id },
    });
    await call(`${members(owner.orgId)}/${member.id}`, {
      method: 'PATCH',
      token: owner.token,
      body: { role: 'viewer' },
    });
    expect(await log('member.role_changed')).toEqual([
      expect.objectContaining({ metadata: { from: 'member', to: 'viewer' } }),
    ]);
    // A refused change (the last owner) writes no entry.
    expectProblem(
      await call(`${members(owner.orgId)}/${owner.id}`, {
        method: 'PATCH',
        token: owner.token,
        body: { role: 'admin' },
      }),
      409,
    );
    expect(await log('member.role_changed')).toHaveLength(1);
    await call(`${members(owner.orgId)}/${member.id}`, { method: 'DELETE', token: owner.token });
    expectProblem(
      await call(`${members(owner.orgId)}/${owner.id}`, { method: 'DELETE', token: owner.token }),
      409,
    );
    expect(await log('member.removed')).toEqual([
      expect.objectContaining({ entity: { type: 'user', id: member.id } }),
    ]);
  });
});
