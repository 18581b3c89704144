import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newProject, newTicket, newUser, orgPath, unique } from '../support';

describe('tickets', () => {
  it('creates a ticket with every field and reads it back', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const res = await call(orgPath(u.orgId, '/tickets'), {
      token: u.token,
      body: {
        project_id: p.id,
        title: 'Fix login',
        description: 'Users cannot log in',
        type: 'bug',
        priority: 'P0',
        assignee: { type: 'user', id: 'me' },
        labels: ['auth', 'urgent'],
        estimate: 3,
        due_date: '2026-12-31',
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      project_id: p.id,
      parent_id: null,
      title: 'Fix login',
      type: 'bug',
      status: 'todo',
      priority: 'P0',
      assignee: { type: 'user', id: u.id },
      labels: ['auth', 'urgent'],
      estimate: 3,
      due_date: '2026-12-31',
      resolution: null,
      subtask_count: 0,
      open_dependencies: 0,
    });
    const got = await call(orgPath(u.orgId, `/tickets/${res.json.id}`), { token: u.token });
    expect(got.json).toEqual(res.json);
    const activity = await call(orgPath(u.orgId, `/activity?entity_id=${res.json.id}`), { token: u.token });
    expect(activity.json.data.map((a: { action: string }) => a.action)).toEqual(['ticket.created']);
  });

  it('updates fields and assignee, and records the change', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const res = await call(orgPath(u.orgId, `/tickets/${t.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { title: 'Renamed', priority: 'P1', labels: ['x'], assignee: { type: 'user', id: u.id } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      title: 'Renamed',
      priority: 'P1',
      labels: ['x'],
      assignee: { id: u.id },
    });
    const cleared = await call(orgPath(u.orgId, `/tickets/${t.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { assignee: null },
    });
    expect(cleared.json.assignee).toBeNull();
    const activity = await call(orgPath(u.orgId, `/activity?entity_id=${t.id}&action=ticket.updated`), {
      token: u.token,
    });
    expect(activity.json.data).toHaveLength(2);
  });

  it('refuses an assignee who is not a member of the organization', async () => {
    const u = await newUser();
    const stranger = await newUser();
    const res = await call(orgPath(u.orgId, '/tickets'), {
      token: u.token,
      body: { title: 'x', assignee: { type: 'user', id: stranger.id } },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('assignee');
  });

  it('assigns an agent of the organization, and refuses one of another organization', async () => {
    const u = await newUser();
    const other = await newUser();
    const agent = await call(orgPath(u.orgId, '/agents'), {
      token: u.token,
      body: { name: unique('agent') },
    });
    expect(agent.status, agent.text).toBe(201);
    const foreign = await call(orgPath(other.orgId, '/agents'), {
      token: other.token,
      body: { name: unique('agent') },
    });
    const ok = await newTicket(u, { assignee: { type: 'agent', id: agent.json.id } });
    expect(ok.assignee).toEqual({ type: 'agent', id: agent.json.id });
    const bad = await call(orgPath(u.orgId, '/tickets'), {
      token: u.token,
      body: { title: 'x', assignee: { type: 'agent', id: foreign.json.id } },
    });
    expectProblem(bad, 422);
    const mine = await call(orgPath(u.orgId, `/tickets?assignee=${agent.json.id}`), { token: u.token });
    expect(mine.json.data.map((t: { id: string }) => t.id)).toEqual([ok.id]);
  });

  it('hides subtasks from lists by default and counts them on their parent', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const parent = await newTicket(u, { project_id: p.id, title: 'Parent' });
    const sub1 = await newTicket(u, { project_id: p.id, parent_id: parent.id });
    const sub2 = await newTicket(u, { project_id: p.id, parent_id: parent.id });
    const list = await call(orgPath(u.orgId, `/tickets?project_id=${p.id}`), { token: u.token });
    expect(list.json.data.map((t: { id: string }) => t.id)).toEqual([parent.id]);
    expect(list.json.data[0].subtask_count).toBe(2);
    const subs = await call(orgPath(u.orgId, `/tickets?parent_id=${parent.id}`), { token: u.token });
    expect(subs.json.data.map((t: { id: string }) => t.id)).toEqual([sub2.id, sub1.id]);
    const all = await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&include_subtasks=true`), {
      token: u.token,
    });
    expect(all.json.data).toHaveLength(3);
  });

  it('keeps subtasks one level deep and in their parent’s project', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const q = await newProject(u, 'Other');
    const parent = await newTicket(u, { project_id: p.id });
    const sub = await newTicket(u, { project_id: p.id, parent_id: parent.id });
    expectProblem(
      await call(orgPath(u.orgId, '/tickets'), {
        token: u.token,
        body: { title: 'x', project_id: p.id, parent_id: sub.id },
      }),
      422,
    );
    expectProblem(
      await call(orgPath(u.orgId, '/tickets'), {
        token: u.token,
        body: { title: 'x', project_id: q.id, parent_id: parent.id },
      }),
      422,
    );
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${parent.id}`), {
        method: 'PATCH',
        token: u.token,
        body: { parent_id: sub.id },
      }),
      422,
    );
  });

  it('deletes a ticket with its subtasks, comments and dependencies', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const parent = await newTicket(u, { project_id: p.id });
    const sub = await newTicket(u, { project_id: p.id, parent_id: parent.id });
    const other = await newTicket(u, { project_id: p.id });
    await call(orgPath(u.orgId, `/tickets/${other.id}/dependencies`), {
      token: u.token,
      body: { depends_on_id: sub.id },
    });
    await call(orgPath(u.orgId, `/tickets/${sub.id}/comments`), { token: u.token, body: { body: 'note' } });
    const del = await call(orgPath(u.orgId, `/tickets/${parent.id}`), { method: 'DELETE', token: u.token });
    expect(del.status, del.text).toBe(204);
    expectProblem(await call(orgPath(u.orgId, `/tickets/${sub.id}`), { token: u.token }), 404);
    const left = await env.DB.prepare(
      'SELECT (SELECT count(*) FROM ticket_comments WHERE ticket_id = ?1) + (SELECT count(*) FROM ticket_dependencies WHERE depends_on_id = ?1) AS n',
    )
      .bind(sub.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const remaining = await call(orgPath(u.orgId, `/tickets/${other.id}`), { token: u.token });
    expect(remaining.json.open_dependencies).toBe(0);
  });

  it('filters by several statuses, priority, label, assignee me and none, with cursor pages', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = await newTicket(u, {
      project_id: p.id,
      priority: 'P0',
      labels: ['ui'],
      assignee: { type: 'user', id: 'me' },
    });
    const b = await newTicket(u, { project_id: p.id, priority: 'P3', labels: ['api'] });
    const c = await newTicket(u, { project_id: p.id, priority: 'P0' });
    await call(orgPath(u.orgId, `/tickets/${c.id}/transition`), {
      token: u.token,
      body: { status: 'cancelled' },
    });
    const ids = async (query: string) =>
      (
        await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&${query}`), { token: u.token })
      ).json.data.map((t: { id: string }) => t.id);
    expect(await ids('status=todo,cancelled')).toEqual([c.id, b.id, a.id]);
    expect(await ids('status=todo&status=cancelled')).toEqual([c.id, b.id, a.id]);
    expect(await ids('status=cancelled')).toEqual([c.id]);
    expect(await ids('priority=P0')).toEqual([c.id, a.id]);
    expect(await ids('label=api')).toEqual([b.id]);
    expect(await ids('assignee=me')).toEqual([a.id]);
    expect(await ids('assignee=none')).toEqual([c.id, b.id]);

    const page1 = await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&limit=2`), { token: u.token });
    expect(page1.json.data).toHaveLength(2);
    const page2 = await call(
      orgPath(u.orgId, `/tickets?project_id=${p.id}&limit=2&cursor=${page1.json.next_cursor}`),
      {
        token: u.token,
      },
    );
    expect(page2.json.data.map((t: { id: string }) => t.id)).toEqual([a.id]);
    expect(page2.json.next_cursor).toBeNull();
  });

  it('answers 422 with per-field errors for invalid tickets and filters', async () => {
    const u = await newUser();
    const res = expectProblem(
      await call(orgPath(u.orgId, '/tickets'), {
        token: u.token,
        body: { title: '', priority: 'P9', type: 'nope', due_date: 'tomorrow' },
      }),
      422,
    );
    expect(res.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['title', 'priority', 'type', 'due_date']),
    );
    expectProblem(await call(orgPath(u.orgId, '/tickets?status=sleeping'), { token: u.token }), 422);
    expectProblem(
      await call(orgPath(u.orgId, '/tickets'), {
        token: u.token,
        body: { title: 'x', project_id: 'prj_nope' },
      }),
      422,
    );
  });

  it('needs credentials, and the member role to change tickets', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const t = await newTicket(owner, {});
    expectProblem(await call(orgPath(owner.orgId, '/tickets')), 401);
    expect((await call(orgPath(owner.orgId, `/tickets/${t.id}`), { token: viewer.token })).status).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, '/tickets'), { token: viewer.token, body: { title: 'x' } }),
      403,
    );
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}`), {
        method: 'PATCH',
        token: viewer.token,
        body: { title: 'x' },
      }),
      403,
    );
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}`), { method: 'DELETE', token: viewer.token }),
      403,
    );
  });

  it('answers 404 for another organization’s ticket on every route', async () => {
    const a = await newUser();
    const b = await newUser();
    const t = await newTicket(a, {});
    for (const [method, path, body] of [
      ['GET', `/tickets/${t.id}`, undefined],
      ['PATCH', `/tickets/${t.id}`, { title: 'x' }],
      ['DELETE', `/tickets/${t.id}`, undefined],
      ['POST', `/tickets/${t.id}/claim`, {}],
      ['POST', `/tickets/${t.id}/transition`, { status: 'in_progress' }],
      ['POST', `/tickets/${t.id}/move`, { status: 'in_progress' }],
      ['GET', `/tickets/${t.id}/comments`, undefined],
      ['GET', `/tickets/${t.id}/dependencies`, undefined],
    ] as const) {
      expectProblem(await call(orgPath(b.orgId, path), { method, token: b.token, body }), 404);
    }
    const list = await call(orgPath(b.orgId, '/tickets?include_subtasks=true'), { token: b.token });
    expect(list.json.data).toEqual([]);
    // The ticket is untouched.
    expect((await call(orgPath(a.orgId, `/tickets/${t.id}`), { token: a.token })).json.status).toBe('todo');
  });

  it('replays a creation sent twice with the same Idempotency-Key', async () => {
    const u = await newUser();
    const key = unique('idem');
    const first = await call(orgPath(u.orgId, '/tickets'), {
      token: u.token,
      body: { title: 'Once' },
      headers: { 'Idempotency-Key': key },
    });
    const second = await call(orgPath(u.orgId, '/tickets'), {
      token: u.token,
      body: { title: 'Once' },
      headers: { 'Idempotency-Key': key },
    });
    expect(first.status).toBe(201);
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
  });
});
