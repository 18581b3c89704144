import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  dependOn,
  expectProblem,
  finish,
  newProject,
  newTicket,
  newUser,
  orgPath,
  transition,
  unique,
} from '../support';

describe('status workflow', () => {
  it('walks todo → in_progress → review → done, stamping start and completion', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const started = await transition(u, t.id, 'in_progress');
    expect(started.json.started_at).not.toBeNull();
    await transition(u, t.id, 'review');
    const done = await call(orgPath(u.orgId, `/tickets/${t.id}/transition`), {
      token: u.token,
      body: { status: 'done', resolution: 'fixed' },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({ status: 'done', resolution: 'fixed' });
    expect(done.json.completed_at).not.toBeNull();
    const reopened = await transition(u, t.id, 'todo');
    expect(reopened.json).toMatchObject({ status: 'todo', resolution: null, completed_at: null });
    const actions = await call(orgPath(u.orgId, `/activity?entity_id=${t.id}&action=ticket.transitioned`), {
      token: u.token,
    });
    expect(actions.json.data).toHaveLength(4);
  });

  it('refuses a transition the workflow does not allow with 409 naming the allowed ones', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const res = expectProblem(await transition(u, t.id, 'done'), 409);
    expect(res.detail).toContain('in_progress, blocked, cancelled');
    expectProblem(await transition(u, t.id, 'todo'), 409);
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${t.id}/transition`), {
        token: u.token,
        body: { status: 'asleep' },
      }),
      422,
    );
  });

  it('refuses to start a ticket whose dependencies are not done, naming them', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = await newTicket(u, { project_id: p.id });
    const b = await newTicket(u, { project_id: p.id });
    await dependOn(u, b.id, a.id);
    const res = expectProblem(await transition(u, b.id, 'in_progress'), 409);
    expect(res.detail).toContain(a.id);
    expectProblem(await call(orgPath(u.orgId, `/tickets/${b.id}/claim`), { token: u.token, body: {} }), 409);
    await finish(u, a.id);
    expect((await transition(u, b.id, 'in_progress')).status).toBe(200);
  });
});

describe('claims', () => {
  it('lets an assignee claim a ready ticket, which starts it', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const res = await call(orgPath(u.orgId, `/tickets/${t.id}/claim`), { method: 'POST', token: u.token });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: 'in_progress', assignee: { type: 'user', id: u.id } });
    const activity = await call(orgPath(u.orgId, `/activity?entity_id=${t.id}&action=ticket.claimed`), {
      token: u.token,
    });
    expect(activity.json.data).toHaveLength(1);
  });

  it('lets exactly one of many simultaneous claimers win; the others get 409', async () => {
    const owner = await newUser();
    const agents = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(orgPath(owner.orgId, '/agents'), { token: owner.token, body: { name: unique('a') } }),
      ),
    );
    const t = await newTicket(owner, {});
    const results = await Promise.all(
      agents.map((a) =>
        call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), {
          token: owner.token,
          body: { assignee: { type: 'agent', id: a.json.id } },
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectProblem(r, 409);
    const ticket = await call(orgPath(owner.orgId, `/tickets/${t.id}`), { token: owner.token });
    expect(ticket.json.assignee).toEqual(winners[0]!.json.assignee);
    const claimed = await env.DB.prepare(
      "SELECT count(*) AS n FROM activity_log WHERE entity_id = ? AND action = 'ticket.claimed'",
    )
      .bind(t.id)
      .first<{ n: number }>();
    expect(claimed?.n).toBe(1);
  });

  it('gives each of many tickets to exactly one of many claimers racing for all of them', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const bulk = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: { project_id: p.id, tickets: Array.from({ length: 8 }, (_, i) => ({ title: `T${i}` })) },
    });
    const ids: string[] = bulk.json.data.map((d: { ticket: { id: string } }) => d.ticket.id);
    const agents = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(orgPath(u.orgId, '/agents'), { token: u.token, body: { name: unique('a') } }),
      ),
    );
    const attempts = ids.flatMap((id) =>
      agents.map((a) =>
        call(orgPath(u.orgId, `/tickets/${id}/claim`), {
          token: u.token,
          body: { assignee: { type: 'agent', id: a.json.id } },
        }),
      ),
    );
    const results = await Promise.all(attempts);
    const won = results.filter((r) => r.status === 200).map((r) => r.json.id);
    expect(won.sort()).toEqual([...ids].sort());
  });

  it('refuses to claim a ticket someone else holds, or one not in todo', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const t = await newTicket(owner, { assignee: { type: 'user', id: 'me' } });
    const res = expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), { method: 'POST', token: member.token }),
      409,
    );
    expect(res.detail).toContain(owner.id);
    const mine = await call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), {
      method: 'POST',
      token: owner.token,
    });
    expect(mine.status).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), { method: 'POST', token: owner.token }),
      409,
    );
  });

  it('keeps claims to members', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const t = await newTicket(owner, {});
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), { method: 'POST', token: viewer.token }),
      403,
    );
    expectProblem(await call(orgPath(owner.orgId, `/tickets/${t.id}/claim`), { method: 'POST' }), 401);
  });
});

describe('next', () => {
  it('picks the most urgent ready ticket for the assignee, skipping blocked and others’ tickets', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const p = await newProject(owner);
    const blocker = await newTicket(owner, { project_id: p.id, priority: 'P3', title: 'blocker' });
    const blocked = await newTicket(owner, { project_id: p.id, priority: 'P0', title: 'blocked' });
    await dependOn(owner, blocked.id, blocker.id);
    await newTicket(owner, { project_id: p.id, priority: 'P0', assignee: { type: 'user', id: member.id } });
    const p1 = await newTicket(owner, { project_id: p.id, priority: 'P1' });
    const next = async () =>
      (await call(orgPath(owner.orgId, `/tickets/next?project_id=${p.id}`), { token: owner.token })).json
        .ticket;
    expect((await next()).id).toBe(p1.id);
    const mineP1 = await newTicket(owner, {
      project_id: p.id,
      priority: 'P1',
      assignee: { type: 'user', id: 'me' },
    });
    expect((await next()).id).toBe(mineP1.id);
    await call(orgPath(owner.orgId, `/tickets/${mineP1.id}/claim`), { method: 'POST', token: owner.token });
    await call(orgPath(owner.orgId, `/tickets/${p1.id}/claim`), { method: 'POST', token: owner.token });
    expect((await next()).id).toBe(blocker.id);
    await call(orgPath(owner.orgId, `/tickets/${blocker.id}/transition`), {
      token: owner.token,
      body: { status: 'cancelled' },
    });
    expect(await next()).toBeNull();
    const forMember = await call(
      orgPath(owner.orgId, `/tickets/next?project_id=${p.id}&assignee=${member.id}`),
      {
        token: owner.token,
      },
    );
    expect(forMember.json.ticket.assignee.id).toBe(member.id);
  });
});

describe('board', () => {
  it('groups top-level tickets by status, ordered by position, and moves them', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = await newTicket(u, { project_id: p.id, title: 'A' });
    const b = await newTicket(u, { project_id: p.id, title: 'B' });
    const c = await newTicket(u, { project_id: p.id, title: 'C' });
    await newTicket(u, { project_id: p.id, parent_id: a.id });
    // C goes to the top of todo, then B to in_progress.
    const moved = await call(orgPath(u.orgId, `/tickets/${c.id}/move`), {
      token: u.token,
      body: { status: 'todo', position: (a.position as number) / 2 },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(
      (
        await call(orgPath(u.orgId, `/tickets/${b.id}/move`), {
          token: u.token,
          body: { status: 'in_progress' },
        })
      ).status,
    ).toBe(200);
    const board = await call(orgPath(u.orgId, `/projects/${p.id}/board`), { token: u.token });
    expect(board.status, board.text).toBe(200);
    const column = (s: string) =>
      board.json.columns
        .find((col: { status: string }) => col.status === s)
        .tickets.map((t: { id: string }) => t.id);
    expect(board.json.columns.map((col: { status: string }) => col.status)).toEqual([
      'todo',
      'in_progress',
      'review',
      'done',
      'blocked',
      'cancelled',
    ]);
    expect(column('todo')).toEqual([c.id, a.id]);
    expect(column('in_progress')).toEqual([b.id]);
    const activity = await call(orgPath(u.orgId, `/activity?action=ticket.moved`), { token: u.token });
    expect(activity.json.data).toHaveLength(2);
  });

  it('refuses a move the workflow does not allow', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${t.id}/move`), { token: u.token, body: { status: 'done' } }),
      409,
    );
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${t.id}/move`), { token: u.token, body: { position: 1 } }),
      422,
    );
  });
});
