import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newApiKey,
  newProject,
  newTicket,
  newUser,
  orgPath,
} from '../support';

describe('projects', () => {
  it('creates, reads, lists, updates and deletes a project', async () => {
    const u = await newUser();
    const created = await call(orgPath(u.orgId, '/projects'), {
      token: u.token,
      body: {
        name: 'Website',
        description: 'The public site',
        repository: { url: 'https://github.com/acme/site', default_branch: 'main' },
        settings: { review_required: true },
      },
    });
    expect(created.status, created.text).toBe(201);
    const p = created.json;
    expect(p).toMatchObject({
      name: 'Website',
      system: false,
      repository: { url: 'https://github.com/acme/site', default_branch: 'main' },
      settings: { review_required: true },
    });

    const got = await call(orgPath(u.orgId, `/projects/${p.id}`), { token: u.token });
    expect(got.json).toEqual(p);

    const patched = await call(orgPath(u.orgId, `/projects/${p.id}`), {
      method: 'PATCH',
      token: u.token,
      body: {
        name: 'Site',
        repository: { default_branch: 'trunk' },
        settings: { review_required: null, lang: 'en' },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({
      name: 'Site',
      repository: { url: 'https://github.com/acme/site', default_branch: 'trunk' },
      settings: { lang: 'en' },
    });

    const list = await call(orgPath(u.orgId, '/projects'), { token: u.token });
    expect(list.json.data.map((x: { id: string }) => x.id)).toContain(p.id);

    const del = await call(orgPath(u.orgId, `/projects/${p.id}`), { method: 'DELETE', token: u.token });
    expect(del.status, del.text).toBe(204);
    expectProblem(await call(orgPath(u.orgId, `/projects/${p.id}`), { token: u.token }), 404);
  });

  it('makes exactly one system project per organization, even when asked for at once', async () => {
    const u = await newUser();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call(orgPath(u.orgId, '/projects/system'), { token: u.token })),
    );
    const ids = new Set(results.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    expect(results[0]!.json).toMatchObject({ system: true, name: 'System' });
    const list = await call(orgPath(u.orgId, '/projects'), { token: u.token });
    expect(list.json.data.filter((p: { system: boolean }) => p.system)).toHaveLength(1);
    const created = await env.DB.prepare(
      "SELECT count(*) AS n FROM activity_log WHERE org_id = ? AND action = 'project.created'",
    )
      .bind(u.orgId)
      .first<{ n: number }>();
    expect(created?.n).toBe(1);
  });

  it('refuses to delete the system project with 409', async () => {
    const u = await newUser();
    const sys = await call(orgPath(u.orgId, '/projects/system'), { token: u.token });
    expectProblem(
      await call(orgPath(u.orgId, `/projects/${sys.json.id}`), { method: 'DELETE', token: u.token }),
      409,
    );
  });

  it('puts tickets without a project into the system project', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const sys = await call(orgPath(u.orgId, '/projects/system'), { token: u.token });
    expect(t.project_id).toBe(sys.json.id);
  });

  it('aggregates settings with ticket, dependency and document figures', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = await newTicket(u, { project_id: p.id });
    const b = await newTicket(u, { project_id: p.id });
    await newTicket(u, { project_id: p.id, parent_id: a.id });
    await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies`), {
      token: u.token,
      body: { depends_on_id: a.id },
    });
    const res = await call(orgPath(u.orgId, `/projects/${p.id}/settings`), { token: u.token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      project: { id: p.id, system: false },
      tickets: { total: 3, subtasks: 1, by_status: { todo: 3 } },
      dependencies: 1,
      documents: { count: 0, bytes: 0 },
    });
  });

  it('deletes every ticket of a project with their comments and dependencies', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const other = await newProject(u, 'Other');
    const a = await newTicket(u, { project_id: p.id });
    const b = await newTicket(u, { project_id: p.id });
    const kept = await newTicket(u, { project_id: other.id });
    await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies`), {
      token: u.token,
      body: { depends_on_id: a.id },
    });
    await call(orgPath(u.orgId, `/tickets/${a.id}/comments`), { token: u.token, body: { body: 'hi' } });
    const res = await call(orgPath(u.orgId, `/projects/${p.id}/tickets`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ deleted: 2 });
    expectProblem(await call(orgPath(u.orgId, `/tickets/${a.id}`), { token: u.token }), 404);
    expect((await call(orgPath(u.orgId, `/tickets/${kept.id}`), { token: u.token })).status).toBe(200);
    const left = await env.DB.prepare(
      'SELECT (SELECT count(*) FROM ticket_comments WHERE ticket_id = ?) + (SELECT count(*) FROM ticket_dependencies WHERE project_id = ?) AS n',
    )
      .bind(a.id, p.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it('answers 422 for an invalid project and 401 without credentials', async () => {
    const u = await newUser();
    const bad = expectProblem(
      await call(orgPath(u.orgId, '/projects'), {
        token: u.token,
        body: { name: '', repository: { url: 'ftp://x' } },
      }),
      422,
    );
    expect(bad.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['name', 'repository.url']),
    );
    expectProblem(await call(orgPath(u.orgId, '/projects'), { body: { name: 'x' } }), 401);
  });

  it('lets viewers read but not change projects', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const p = await newProject(owner);
    const path = `/api/v1/orgs/${owner.orgId}/projects`;
    expect((await call(`${path}/${p.id}`, { token: viewer.token })).status).toBe(200);
    expectProblem(await call(path, { token: viewer.token, body: { name: 'Nope' } }), 403);
    expectProblem(
      await call(`${path}/${p.id}`, { method: 'PATCH', token: viewer.token, body: { name: 'x' } }),
      403,
    );
  });

  it('keeps project deletion to admins', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const p = await newProject(owner);
    expectProblem(
      await call(`/api/v1/orgs/${owner.orgId}/projects/${p.id}`, { method: 'DELETE', token: member.token }),
      403,
    );
  });

  it('lets an API key with projects scopes work, and not one without', async () => {
    const u = await newUser();
    const { key } = await newApiKey(u, u.orgId, ['projects:read', 'projects:write']);
    const created = await call(orgPath(u.orgId, '/projects'), { token: key, body: { name: 'By key' } });
    expect(created.status, created.text).toBe(201);
    const { key: readOnly } = await newApiKey(u, u.orgId, ['tickets:read']);
    expectProblem(await call(orgPath(u.orgId, '/projects'), { token: readOnly }), 403);
  });

  it('answers 404 for another organization’s project, exactly as for a missing one', async () => {
    const a = await newUser();
    const b = await newUser();
    const p = await newProject(a);
    const other = await call(orgPath(b.orgId, `/projects/${p.id}`), { token: b.token });
    const missing = await call(orgPath(b.orgId, '/projects/prj_missing'), { token: b.token });
    expectProblem(other, 404);
    expect(other.json.detail).toBe(missing.json.detail);
    expectProblem(
      await call(orgPath(b.orgId, `/projects/${p.id}`), { method: 'DELETE', token: b.token }),
      404,
    );
    expectProblem(await call(orgPath(a.orgId, `/projects/${p.id}`), { token: b.token }), 404);
  });
});
