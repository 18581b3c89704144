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

describe('comments', () => {
  it('lists, adds, edits and deletes comments, recording each', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const first = await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), {
      token: u.token,
      body: { body: 'First' },
    });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ body: 'First', author: { type: 'user', id: u.id } });
    await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token, body: { body: 'Second' } });
    const edited = await call(orgPath(u.orgId, `/tickets/${t.id}/comments/${first.json.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { body: 'First, edited' },
    });
    expect(edited.json.body).toBe('First, edited');
    const list = await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token });
    expect(list.json.data.map((c: { body: string }) => c.body)).toEqual(['First, edited', 'Second']);
    const del = await call(orgPath(u.orgId, `/tickets/${t.id}/comments/${first.json.id}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(del.status).toBe(204);
    expect(
      (await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token })).json.data,
    ).toHaveLength(1);
    const actions = await call(orgPath(u.orgId, `/activity?entity_id=${t.id}`), { token: u.token });
    expect(actions.json.data.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['ticket.comment_added', 'ticket.comment_edited', 'ticket.comment_deleted']),
    );
  });

  it('lets only the author edit, and the author or an admin delete', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const t = await newTicket(owner, {});
    const c = await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
      token: member.token,
      body: { body: 'mine' },
    });
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${c.json.id}`), {
        method: 'PATCH',
        token: owner.token,
        body: { body: 'x' },
      }),
      403,
    );
    const own = await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
      token: owner.token,
      body: { body: 'owner’s' },
    });
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${own.json.id}`), {
        method: 'DELETE',
        token: member.token,
      }),
      403,
    );
    expect(
      (
        await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${c.json.id}`), {
          method: 'DELETE',
          token: owner.token,
        })
      ).status,
    ).toBe(204);
  });

  it('validates, needs a member to write and hides other organizations’ comments', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const stranger = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const t = await newTicket(owner, {});
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
        token: owner.token,
        body: { body: ' ' },
      }),
      422,
    );
    expect(
      (await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), { token: viewer.token })).status,
    ).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
        token: viewer.token,
        body: { body: 'x' },
      }),
      403,
    );
    expectProblem(await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`)), 401);
    expectProblem(
      await call(orgPath(stranger.orgId, `/tickets/${t.id}/comments`), {
        token: stranger.token,
        body: { body: 'x' },
      }),
      404,
    );
  });
});

describe('full-text search', () => {
  it('ranks a title match above a description match, and more matches in a ticket of equal length higher', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const inDescription = await newTicket(u, {
      project_id: p.id,
      title: 'Cleanup',
      description: 'the invoice export is slow',
    });
    const inTitle = await newTicket(u, {
      project_id: p.id,
      title: 'Invoice export',
      description: 'customers complain about it daily',
    });
    const both = await newTicket(u, {
      project_id: p.id,
      title: 'Invoice export',
      description: 'invoice export fails every day',
    });
    // Enough other tickets that the words are rare, as in a real project (bm25 weighs rarity).
    await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: Array.from({ length: 12 }, (_, i) => ({ title: `Unrelated ${i}` })),
      },
    });
    const res = await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=invoice export`), {
      token: u.token,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((t: { id: string }) => t.id)).toEqual([both.id, inTitle.id, inDescription.id]);
  });

  it('matches word stems and prefixes, follows edits and deletions, and combines with filters', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const t = await newTicket(u, { project_id: p.id, title: 'Deploying the workers', priority: 'P1' });
    const ids = async (q: string) =>
      (
        await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=${encodeURIComponent(q)}`), {
          token: u.token,
        })
      ).json.data.map((x: { id: string }) => x.id);
    expect(await ids('deploy')).toEqual([t.id]);
    expect(await ids('work')).toEqual([t.id]);
    expect(await ids('deploy" (')).toEqual([t.id]);
    expect(
      (await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=deploy&priority=P3`), { token: u.token }))
        .json.data,
    ).toEqual([]);
    await call(orgPath(u.orgId, `/tickets/${t.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { title: 'Rollback plan' },
    });
    expect(await ids('deploy')).toEqual([]);
    expect(await ids('rollback')).toEqual([t.id]);
    await call(orgPath(u.orgId, `/tickets/${t.id}`), { method: 'DELETE', token: u.token });
    expect(await ids('rollback')).toEqual([]);
    expectProblem(await call(orgPath(u.orgId, '/tickets?q=%20%21'), { token: u.token }), 422);
  });

  it('pages search results by rank with a cursor and never shows another organization’s tickets', async () => {
    const u = await newUser();
    const other = await newUser();
    const p = await newProject(u);
    for (let i = 0; i < 5; i++)
      await newTicket(u, { project_id: p.id, title: `Kafka consumer ${'lag '.repeat(i)}` });
    await newTicket(other, { title: 'Kafka consumer secret' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof call>> = await call(
        orgPath(u.orgId, `/tickets?q=kafka&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        { token: u.token },
      );
      seen.push(...res.json.data.map((x: { id: string }) => x.id));
      cursor = res.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
