import fc from 'fast-check';
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
  type TestUser,
} from '../support';

async function bulkTickets(u: TestUser, projectId: string, n: number) {
  const res = await call(orgPath(u.orgId, '/tickets/bulk'), {
    token: u.token,
    body: { project_id: projectId, tickets: Array.from({ length: n }, (_, i) => ({ title: `T${i}` })) },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.data.map((d: { ticket: { id: string } }) => d.ticket.id) as string[];
}

describe('dependencies', () => {
  it('adds, lists and removes a dependency', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = await newTicket(u, { project_id: p.id, title: 'A' });
    const b = await newTicket(u, { project_id: p.id, title: 'B' });
    const added = await dependOn(u, b.id, a.id);
    expect(added.json).toEqual({ ticket_id: b.id, depends_on_id: a.id, project_id: p.id });
    const ofB = await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies`), { token: u.token });
    expect(ofB.json.depends_on).toEqual([{ id: a.id, title: 'A', status: 'todo', priority: 'P2' }]);
    const ofA = await call(orgPath(u.orgId, `/tickets/${a.id}/dependencies`), { token: u.token });
    expect(ofA.json.blocking.map((t: { id: string }) => t.id)).toEqual([b.id]);
    expect(
      (await call(orgPath(u.orgId, `/tickets/${b.id}`), { token: u.token })).json.open_dependencies,
    ).toBe(1);
    const removed = await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies/${a.id}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(removed.status, removed.text).toBe(204);
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies/${a.id}`), {
        method: 'DELETE',
        token: u.token,
      }),
      404,
    );
  });

  it('refuses a dependency that closes a cycle, naming the cycle', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const [a, b, c] = await bulkTickets(u, p.id, 3);
    await dependOn(u, b!, a!);
    await dependOn(u, c!, b!);
    const res = expectProblem(await dependOn(u, a!, c!, 409), 409);
    expect(res.detail).toContain(`${a} → ${c} → ${b} → ${a}`);
    expectProblem(await dependOn(u, a!, a!, 409), 409);
  });

  it('refuses the edge closing a cycle through 300 tickets', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const ids = await bulkTickets(u, p.id, 300);
    const edges = ids.slice(1).map((id, i) => ({ ticket_id: id, depends_on_id: ids[i]! }));
    const chain = await call(orgPath(u.orgId, `/projects/${p.id}/dependencies`), {
      token: u.token,
      body: { edges },
    });
    expect(chain.status, chain.text).toBe(201);
    const res = expectProblem(await dependOn(u, ids[0]!, ids[299]!, 409), 409);
    expect(res.detail.split(' → ')).toHaveLength(301);
  });

  it('never lets concurrent additions close a cycle together', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const [a, b] = await bulkTickets(u, p.id, 2);
    const [ab, ba] = await Promise.all([
      call(orgPath(u.orgId, `/tickets/${a}/dependencies`), { token: u.token, body: { depends_on_id: b } }),
      call(orgPath(u.orgId, `/tickets/${b}/dependencies`), { token: u.token, body: { depends_on_id: a } }),
    ]);
    expect([ab.status, ba.status].sort()).toEqual([201, 409]);
    const order = await call(orgPath(u.orgId, `/projects/${p.id}/execution-order`), { token: u.token });
    expect(order.status, order.text).toBe(200);
  });

  it('refuses duplicates, dependencies across projects and unknown tickets', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const q = await newProject(u, 'Q');
    const a = await newTicket(u, { project_id: p.id });
    const b = await newTicket(u, { project_id: p.id });
    const x = await newTicket(u, { project_id: q.id });
    await dependOn(u, b.id, a.id);
    expectProblem(await dependOn(u, b.id, a.id, 409), 409);
    expectProblem(await dependOn(u, b.id, x.id, 422), 422);
    expectProblem(await dependOn(u, b.id, 'tkt_missing', 422), 422);
    expectProblem(
      await call(orgPath(u.orgId, `/tickets/${b.id}/dependencies`), { token: u.token, body: {} }),
      422,
    );
  });

  it('adds many dependencies at once, all or nothing', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const [a, b, c] = await bulkTickets(u, p.id, 3);
    const cyclic = await call(orgPath(u.orgId, `/projects/${p.id}/dependencies`), {
      token: u.token,
      body: {
        edges: [
          { ticket_id: b, depends_on_id: a },
          { ticket_id: c, depends_on_id: b },
          { ticket_id: a, depends_on_id: c },
        ],
      },
    });
    expectProblem(cyclic, 409);
    const graph = await call(orgPath(u.orgId, `/projects/${p.id}/dependency-graph`), { token: u.token });
    expect(graph.json.links).toEqual([]);
    const unknown = await call(orgPath(u.orgId, `/projects/${p.id}/dependencies`), {
      token: u.token,
      body: {
        edges: [
          { ticket_id: b, depends_on_id: a },
          { ticket_id: c, depends_on_id: 'tkt_nope' },
        ],
      },
    });
    expect(expectProblem(unknown, 422).errors[0].path).toBe('edges.1.depends_on_id');
  });

  it('draws the graph for D3 and orders execution in minimal levels', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const [a, b, c, d] = await bulkTickets(u, p.id, 4);
    // d waits for b and c, which both wait for a.
    await dependOn(u, b!, a!);
    await dependOn(u, c!, a!);
    await dependOn(u, d!, b!);
    await dependOn(u, d!, c!);
    const graph = await call(orgPath(u.orgId, `/projects/${p.id}/dependency-graph`), { token: u.token });
    expect(graph.status, graph.text).toBe(200);
    expect(graph.json.nodes).toHaveLength(4);
    expect(graph.json.nodes.find((n: { id: string }) => n.id === d).level).toBe(2);
    expect(graph.json.links).toEqual(
      expect.arrayContaining([
        { source: a, target: b },
        { source: a, target: c },
        { source: b, target: d },
        { source: c, target: d },
      ]),
    );
    const order = await call(orgPath(u.orgId, `/projects/${p.id}/execution-order`), { token: u.token });
    expect(order.json.total).toBe(4);
    expect(
      order.json.levels.map((l: { tickets: { id: string }[] }) => l.tickets.map((t) => t.id).sort()),
    ).toEqual([[a], [b, c].sort(), [d]]);
  });

  it('orders random DAGs built through the API so every edge is respected with minimal levels', async () => {
    const u = await newUser();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            edges: fc.uniqueArray(
              fc
                .integer({ min: 1, max: n - 1 })
                .chain((t) => fc.integer({ min: 0, max: t - 1 }).map((d) => [t, d] as const)),
              { selector: ([t, d]) => `${t}>${d}`, maxLength: 30 },
            ),
          }),
        ),
        async ({ n, edges }) => {
          const p = await newProject(u);
          const ids = await bulkTickets(u, p.id, n);
          if (edges.length > 0) {
            const res = await call(orgPath(u.orgId, `/projects/${p.id}/dependencies`), {
              token: u.token,
              body: { edges: edges.map(([t, d]) => ({ ticket_id: ids[t], depends_on_id: ids[d] })) },
            });
            expect(res.status, res.text).toBe(201);
          }
          const order = await call(orgPath(u.orgId, `/projects/${p.id}/execution-order`), { token: u.token });
          const level = new Map<string, number>();
          order.json.levels.forEach((l: { level: number; tickets: { id: string }[] }) => {
            for (const t of l.tickets) level.set(t.id, l.level);
          });
          expect(level.size).toBe(n);
          for (let i = 0; i < n; i++) {
            const deps = edges.filter(([t]) => t === i).map(([, d]) => level.get(ids[d]!)!);
            expect(level.get(ids[i]!)).toBe(deps.length === 0 ? 0 : Math.max(...deps) + 1);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('lets viewers read the graph but not add dependencies, and hides other organizations’ projects', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const stranger = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const p = await newProject(owner);
    const [a, b] = await bulkTickets(owner, p.id, 2);
    expect(
      (await call(orgPath(owner.orgId, `/projects/${p.id}/dependency-graph`), { token: viewer.token }))
        .status,
    ).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${b}/dependencies`), {
        token: viewer.token,
        body: { depends_on_id: a },
      }),
      403,
    );
    expectProblem(
      await call(orgPath(stranger.orgId, `/projects/${p.id}/dependency-graph`), { token: stranger.token }),
      404,
    );
    expectProblem(
      await call(orgPath(stranger.orgId, `/projects/${p.id}/execution-order`), { token: stranger.token }),
      404,
    );
    expectProblem(await call(orgPath(owner.orgId, `/projects/${p.id}/execution-order`)), 401);
  });

  it('unblocks a dependent once its dependency is done', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const [a, b] = await bulkTickets(u, p.id, 2);
    await dependOn(u, b!, a!);
    await finish(u, a!);
    expect((await call(orgPath(u.orgId, `/tickets/${b}`), { token: u.token })).json.open_dependencies).toBe(
      0,
    );
  });
});
