import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newProject, newTicket, newUser, orgPath } from '../support';

const countTickets = async (projectId: string) =>
  (
    await env.DB.prepare('SELECT count(*) AS n FROM tickets WHERE project_id = ?')
      .bind(projectId)
      .first<{ n: number }>()
  )?.n;

describe('bulk create', () => {
  it('creates tickets with dependencies and parents given by client-side refs', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const existing = await newTicket(u, { project_id: p.id, title: 'Existing' });
    const res = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: [
          { ref: 'design', title: 'Design', priority: 'P1' },
          { ref: 'build', title: 'Build', depends_on: ['design', existing.id] },
          { ref: 'test', title: 'Test', depends_on: ['build'], labels: ['qa'] },
          { title: 'Write test plan', parent: 'test' },
        ],
      },
    });
    expect(res.status, res.text).toBe(201);
    const [design, build, test, sub] = res.json.data;
    expect(res.json.data.map((d: { ref: string | null }) => d.ref)).toEqual([
      'design',
      'build',
      'test',
      null,
    ]);
    expect(build.ticket.open_dependencies).toBe(2);
    expect(test.ticket).toMatchObject({ labels: ['qa'], subtask_count: 1, open_dependencies: 1 });
    expect(sub.ticket.parent_id).toBe(test.ticket.id);
    expect(design.ticket.priority).toBe('P1');
    const order = await call(orgPath(u.orgId, `/projects/${p.id}/execution-order`), { token: u.token });
    expect(
      order.json.levels.map((l: { tickets: { title: string }[] }) => l.tickets.map((t) => t.title).sort()),
    ).toEqual([['Design', 'Existing', 'Write test plan'], ['Build'], ['Test']]);
    const created = await call(orgPath(u.orgId, '/activity?action=ticket.created&limit=100'), {
      token: u.token,
    });
    expect(created.json.data).toHaveLength(5);
  });

  it('creates nothing when one ticket of the batch is invalid', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const res = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: { project_id: p.id, tickets: [{ title: 'Fine' }, { title: 'Fine too' }, { title: '' }] },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('tickets.2.title');
    expect(await countTickets(p.id)).toBe(0);
  });

  it('creates nothing when a reference is unknown or the batch’s dependencies form a cycle', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const unknown = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: [
          { ref: 'a', title: 'A' },
          { title: 'B', depends_on: ['a', 'nope'] },
        ],
      },
    });
    expect(expectProblem(unknown, 422).errors[0].path).toBe('tickets.1.depends_on.1');
    const cyclic = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: [
          { ref: 'a', title: 'A', depends_on: ['c'] },
          { ref: 'b', title: 'B', depends_on: ['a'] },
          { ref: 'c', title: 'C', depends_on: ['b'] },
        ],
      },
    });
    expect(expectProblem(cyclic, 422).detail).toMatch(/cycle: [abc] → [abc] → [abc] → [abc]/);
    const stranger = await newUser();
    const badAssignee = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: [{ title: 'A' }, { title: 'B', assignee: { type: 'user', id: stranger.id } }],
      },
    });
    expect(expectProblem(badAssignee, 422).errors[0].path).toBe('tickets.1.assignee');
    expect(await countTickets(p.id)).toBe(0);
  });

  it('rolls the whole batch back when the database refuses one row', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const victim = await newTicket(u, { project_id: p.id });
    // The dependency target disappears between the checks and the write: simulated by a trigger
    // that deletes it as soon as the batch's first ticket lands.
    await env.DB.exec(
      `CREATE TRIGGER test_vanish AFTER INSERT ON tickets WHEN new.title = 'first' BEGIN DELETE FROM tickets WHERE id = '${victim.id}'; END`,
    );
    try {
      const res = await call(orgPath(u.orgId, '/tickets/bulk'), {
        token: u.token,
        body: {
          project_id: p.id,
          tickets: [{ title: 'first' }, { title: 'second', depends_on: [victim.id] }],
        },
      });
      expectProblem(res, 409);
    } finally {
      await env.DB.exec('DROP TRIGGER test_vanish');
    }
    expect(await countTickets(p.id)).toBe(1);
    expect((await call(orgPath(u.orgId, `/tickets/${victim.id}`), { token: u.token })).status).toBe(200);
  });

  it('refuses more than the documented maximum in one request', async () => {
    const u = await newUser();
    const res = await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: { tickets: Array.from({ length: 501 }, () => ({ title: 'x' })) },
    });
    expectProblem(res, 422);
  });

  it('keeps bulk creation to members and answers 404 for another organization’s project', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    expectProblem(
      await call(orgPath(owner.orgId, '/tickets/bulk'), {
        token: viewer.token,
        body: { tickets: [{ title: 'x' }] },
      }),
      403,
    );
    const p = await newProject(owner);
    const stranger = await newUser();
    const res = await call(orgPath(stranger.orgId, '/tickets/bulk'), {
      token: stranger.token,
      body: { project_id: p.id, tickets: [{ title: 'x' }] },
    });
    expectProblem(res, 422);
    expect(await countTickets(p.id)).toBe(0);
  });
});
