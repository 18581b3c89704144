import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  activityActions,
  addMember,
  call,
  expectProblem,
  freezeClock,
  newAgent,
  newApiKey,
  newUser,
  type TestUser,
} from '../support';
import { cron } from '../support/cron';
import { memoryPath, remember } from './support';

let owner: TestUser;
let agentId: string;
beforeAll(async () => {
  owner = await newUser('Archivist');
  agentId = (await newAgent(owner)).id;
});

describe('memory entries', () => {
  it('creates, reads, corrects and deletes an entry, each change in the activity log', async () => {
    const created = await remember(owner, {
      agent_id: agentId,
      kind: 'preference',
      content: 'The customer prefers weekly reports',
      tags: ['Reports', 'reports', ' cadence '],
    });
    expect(created).toMatchObject({
      agent_id: agentId,
      shared: false,
      kind: 'preference',
      tags: ['reports', 'cadence'],
      source: 'manual',
      expires_at: null,
      created_by: owner.id,
    });
    const got = await call(memoryPath(owner.orgId, `/${created.id}`), { token: owner.token });
    expect(got.json).toEqual(created);

    const patched = await call(memoryPath(owner.orgId, `/${created.id}`), {
      method: 'PATCH',
      token: owner.token,
      body: { content: 'The customer prefers monthly reports', kind: 'fact' },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ content: 'The customer prefers monthly reports', kind: 'fact' });

    const del = await call(memoryPath(owner.orgId, `/${created.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(del.status).toBe(204);
    expectProblem(await call(memoryPath(owner.orgId, `/${created.id}`), { token: owner.token }), 404);

    const actions = (await activityActions(owner.token, owner.orgId, `&entity_id=${created.id}`)).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['memory.created', 'memory.updated', 'memory.deleted']));
  });

  it('keeps shared knowledge without an agent and lists by agent, shared, kind and tags', async () => {
    const other = await newAgent(owner);
    const mine = await remember(owner, {
      agent_id: other.id,
      content: 'Deploys happen on Tuesdays',
      tags: ['ops'],
    });
    const shared = await remember(owner, {
      content: 'The office is in Lisbon',
      kind: 'note',
      tags: ['ops', 'office'],
    });
    expect(shared).toMatchObject({ agent_id: null, shared: true });

    const list = async (q: string) =>
      (await call(memoryPath(owner.orgId, `?limit=100&${q}`), { token: owner.token })).json.data.map(
        (e: { id: string }) => e.id,
      );
    expect(await list(`agent_id=${other.id}`)).toEqual([mine.id]);
    expect(await list('shared=true')).toContain(shared.id);
    expect(await list('shared=true')).not.toContain(mine.id);
    expect(await list('kind=note&tags=ops,office')).toEqual([shared.id]);
    expect(await list('tags=ops')).toEqual([shared.id, mine.id]);
  });

  it('pages newest first with a cursor', async () => {
    const agent = await newAgent(owner);
    const ids = [];
    for (const n of [1, 2, 3])
      ids.push((await remember(owner, { agent_id: agent.id, content: `Entry ${n}` })).id);
    const first = await call(memoryPath(owner.orgId, `?agent_id=${agent.id}&limit=2`), {
      token: owner.token,
    });
    expect(first.json.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await call(
      memoryPath(
        owner.orgId,
        `?agent_id=${agent.id}&limit=2&cursor=${encodeURIComponent(first.json.next_cursor)}`,
      ),
      { token: owner.token },
    );
    expect(second.json).toMatchObject({ data: [{ id: ids[0] }], next_cursor: null });
  });

  it('refuses bad input with 422 and writes nothing', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM memory_entries').first<{ n: number }>();
    for (const [body, path] of [
      [{ kind: 'fact', content: '' }, 'content'],
      [{ kind: 'rumour', content: 'x' }, 'kind'],
      [{ kind: 'fact', content: 'x', agent_id: 'agt_missing' }, 'agent_id'],
      [{ kind: 'fact', content: 'x', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      [{ kind: 'fact', content: 'x', colour: 'blue' }, 'colour'],
    ] as const) {
      const res = await call(memoryPath(owner.orgId), { token: owner.token, body });
      expect(expectProblem(res, 422).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const after = await env.DB.prepare('SELECT count(*) AS n FROM memory_entries').first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});

describe('expiry', () => {
  afterEach(() => vi.useRealTimers());

  it('hides an expired entry at once and housekeeping deletes it', async () => {
    const now = freezeClock(Date.now());
    const entry = await remember(owner, {
      agent_id: agentId,
      content: 'A passing thought about zeppelins',
      expires_at: new Date(now + 60_000).toISOString(),
    });
    expect((await call(memoryPath(owner.orgId, `/${entry.id}`), { token: owner.token })).status).toBe(200);
    vi.setSystemTime(now + 120_000);
    expectProblem(await call(memoryPath(owner.orgId, `/${entry.id}`), { token: owner.token }), 404);
    const list = await call(memoryPath(owner.orgId, `?agent_id=${agentId}&limit=100`), {
      token: owner.token,
    });
    expect(list.json.data.map((e: { id: string }) => e.id)).not.toContain(entry.id);
    const search = await call(memoryPath(owner.orgId, '/search?q=zeppelins'), { token: owner.token });
    expect(search.json.data).toEqual([]);

    await cron(now + 120_000);
    const row = await env.DB.prepare('SELECT id FROM memory_entries WHERE id = ?').bind(entry.id).first();
    expect(row).toBeNull();
    const indexed = await env.DB.prepare(
      "SELECT count(*) AS n FROM memory_fts WHERE memory_fts MATCH 'zeppelins'",
    ).first<{
      n: number;
    }>();
    expect(indexed?.n).toBe(0);
  });
});

describe('memory access', () => {
  it("answers 404 for another organization's entry, and never lists or changes it", async () => {
    const stranger = await newUser('Stranger');
    const entry = await remember(owner, { content: 'Only for this organization' });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(memoryPath(stranger.orgId, `/${entry.id}`), {
        method,
        token: stranger.token,
        ...(method === 'PATCH' ? { body: { content: 'taken over' } } : {}),
      });
      expectProblem(res, 404);
    }
    const list = await call(memoryPath(stranger.orgId, '?limit=100'), { token: stranger.token });
    expect(list.json.data).toEqual([]);
    expectProblem(await call(memoryPath(owner.orgId, `/${entry.id}`), { token: stranger.token }), 404);
  });

  it('lets a viewer read but not write (403)', async () => {
    const viewer = await newUser('Viewer');
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const entry = await remember(owner, { content: 'Readable by viewers' });
    expect((await call(memoryPath(owner.orgId, `/${entry.id}`), { token: viewer.token })).status).toBe(200);
    expectProblem(
      await call(memoryPath(owner.orgId), { token: viewer.token, body: { kind: 'fact', content: 'x' } }),
      403,
    );
    expectProblem(
      await call(memoryPath(owner.orgId, `/${entry.id}`), { method: 'DELETE', token: viewer.token }),
      403,
    );
  });

  it('needs memory:read and memory:write scopes for API keys (403 otherwise)', async () => {
    const reader = await newApiKey(owner, owner.orgId, ['memory:read']);
    const other = await newApiKey(owner, owner.orgId, ['tickets:read']);
    expect((await call(memoryPath(owner.orgId), { token: reader.key })).status).toBe(200);
    expect((await call(memoryPath(owner.orgId, '/stats'), { token: reader.key })).status).toBe(200);
    expectProblem(
      await call(memoryPath(owner.orgId), { token: reader.key, body: { kind: 'fact', content: 'x' } }),
      403,
    );
    expectProblem(await call(memoryPath(owner.orgId, '/search?q=x'), { token: other.key }), 403);
    const writer = await newApiKey(owner, owner.orgId, ['memory:write']);
    const res = await call(memoryPath(owner.orgId), {
      token: writer.key,
      body: { kind: 'fact', content: 'by key' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.created_by).toBe(writer.record.id);
  });
});
