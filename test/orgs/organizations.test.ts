import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newApiKey, newUser, unique } from '../support';

describe('organizations', () => {
  it('creates an organization owned by its creator and lists it with the personal one', async () => {
    const u = await newUser();
    const created = await call('/api/v1/orgs', { token: u.token, body: { name: 'Acme Robotics' } });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'Acme Robotics', role: 'owner', personal: false });
    expect(created.json.slug).toBe('acme-robotics');

    const list = await call('/api/v1/orgs', { token: u.token });
    expect(list.json.data.map((o: any) => o.id).sort()).toEqual([u.orgId, created.json.id].sort());
  });

  it('refuses a taken slug with 409 and writes nothing', async () => {
    const u = await newUser();
    const slug = unique('s').toLowerCase();
    expect((await call('/api/v1/orgs', { token: u.token, body: { name: 'One', slug } })).status).toBe(201);
    expectProblem(await call('/api/v1/orgs', { token: u.token, body: { name: 'Two', slug } }), 409);
    const list = await call('/api/v1/orgs', { token: u.token });
    expect(list.json.data).toHaveLength(2);
  });

  it('validates the body with per-field errors', async () => {
    const u = await newUser();
    const p = expectProblem(
      await call('/api/v1/orgs', { token: u.token, body: { name: '', slug: 'Bad Slug' } }),
      422,
    );
    expect(p.errors.map((e: any) => e.path).sort()).toEqual(['name', 'slug']);
  });

  it('paginates organizations with a stable cursor', async () => {
    const u = await newUser();
    for (let i = 0; i < 3; i++) await call('/api/v1/orgs', { token: u.token, body: { name: unique('org') } });
    const first = await call('/api/v1/orgs?limit=2', { token: u.token });
    expect(first.json.data).toHaveLength(2);
    const second = await call(`/api/v1/orgs?limit=2&cursor=${first.json.next_cursor}`, { token: u.token });
    expect(second.json.data).toHaveLength(2);
    expect(second.json.next_cursor).toBeNull();
    const ids = [...first.json.data, ...second.json.data].map((o: any) => o.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('rejects a limit above the cap', async () => {
    const u = await newUser();
    expectProblem(await call('/api/v1/orgs?limit=1000', { token: u.token }), 422);
  });

  it('gets an organization with its member count and the caller role', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const res = await call(`/api/v1/orgs/${owner.orgId}`, { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: owner.orgId, member_count: 2, role: 'viewer' });
  });

  it("answers another organization's id with 404, exactly like a missing one", async () => {
    const a = await newUser();
    const b = await newUser();
    const foreign = expectProblem(await call(`/api/v1/orgs/${b.orgId}`, { token: a.token }), 404);
    const missing = expectProblem(await call('/api/v1/orgs/org_doesnotexist', { token: a.token }), 404);
    expect(foreign.detail).toBe(missing.detail);
    expectProblem(
      await call(`/api/v1/orgs/${b.orgId}`, { method: 'PATCH', token: a.token, body: { name: 'x' } }),
      404,
    );
    expectProblem(await call(`/api/v1/orgs/${b.orgId}`, { method: 'DELETE', token: a.token }), 404);
  });

  it('lets admins rename but not members', async () => {
    const owner = await newUser();
    const member = await newUser();
    const admin = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    await addMember(owner, owner.orgId, admin, 'admin');
    expectProblem(
      await call(`/api/v1/orgs/${owner.orgId}`, {
        method: 'PATCH',
        token: member.token,
        body: { name: 'M' },
      }),
      403,
    );
    const ok = await call(`/api/v1/orgs/${owner.orgId}`, {
      method: 'PATCH',
      token: admin.token,
      body: { name: 'Renamed' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.name).toBe('Renamed');
    expectProblem(
      await call(`/api/v1/orgs/${owner.orgId}`, { method: 'PATCH', token: admin.token, body: {} }),
      422,
    );
  });

  it('lets only an owner delete, soft-deleting so the organization answers 404 afterwards', async () => {
    const owner = await newUser();
    const admin = await newUser();
    const org = (await call('/api/v1/orgs', { token: owner.token, body: { name: unique('doomed') } })).json;
    await addMember(owner, org.id, admin, 'admin');
    expectProblem(await call(`/api/v1/orgs/${org.id}`, { method: 'DELETE', token: admin.token }), 403);
    expect((await call(`/api/v1/orgs/${org.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expectProblem(await call(`/api/v1/orgs/${org.id}`, { token: owner.token }), 404);
    expectProblem(await call(`/api/v1/orgs/${org.id}/members`, { token: admin.token }), 404);
  });

  it("stops a deleted organization's API keys at once", async () => {
    const owner = await newUser();
    const org = (await call('/api/v1/orgs', { token: owner.token, body: { name: unique('keyed') } })).json;
    const { key } = await newApiKey(owner, org.id, ['org:read']);
    expect((await call(`/api/v1/orgs/${org.id}`, { token: key })).status).toBe(200);
    expect((await call(`/api/v1/orgs/${org.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expectProblem(await call(`/api/v1/orgs/${org.id}`, { token: key }), 401);
  });

  it('refuses to delete a personal organization', async () => {
    const u = await newUser();
    expectProblem(await call(`/api/v1/orgs/${u.orgId}`, { method: 'DELETE', token: u.token }), 409);
  });

  it('requires authentication', async () => {
    expectProblem(await call('/api/v1/orgs'), 401);
    expectProblem(await call('/api/v1/orgs', { body: { name: 'x' } }), 401);
  });

  it('replays an idempotent create instead of creating twice', async () => {
    const u = await newUser();
    const headers = { 'Idempotency-Key': unique('idem') };
    const body = { name: unique('idem-org') };
    const first = await call('/api/v1/orgs', { token: u.token, body, headers });
    const second = await call('/api/v1/orgs', { token: u.token, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expectProblem(await call('/api/v1/orgs', { token: u.token, body: { name: 'other' }, headers }), 422);
    const list = await call('/api/v1/orgs', { token: u.token });
    expect(list.json.data).toHaveLength(2);
  });
});
