import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScheduled } from '../../src/cron';
import { HEARTBEAT_STALE_MS } from '../../src/domain/agents/lifecycle';
import {
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  openSocket,
  orgPath,
  readEvents,
  type TestUser,
  unique,
} from '../support';

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser('Agent Owner');
});

const agentPath = (id = '', orgId = owner.orgId) => orgPath(orgId, `/agents${id ? `/${id}` : ''}`);

async function activityActions(user: TestUser, entityId: string) {
  const res = await call(orgPath(user.orgId, `/activity?entity_id=${entityId}`), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return (res.json.data as { action: string }[]).map((e) => e.action);
}

describe('agents CRUD', () => {
  it('creates an agent with every field, idle, recorded in the activity log', async () => {
    const name = unique('felix');
    const res = await call(agentPath(), {
      token: owner.token,
      body: {
        name,
        display_name: 'Felix',
        description: 'Writes Rust',
        model: 'claude-sonnet-4-5',
        tags: ['rust', 'backend'],
        config: { temperature: 0.2, tools: ['git'] },
        emoji: '🦀',
        color: '#ff7a00',
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^agt_/),
      name,
      display_name: 'Felix',
      status: 'idle',
      tags: ['rust', 'backend'],
      config: { temperature: 0.2, tools: ['git'] },
      role_id: null,
      last_heartbeat_at: null,
    });
    const got = await call(agentPath(res.json.id), { token: owner.token });
    expect(got.json).toEqual(res.json);
    expect(await activityActions(owner, res.json.id)).toEqual(['agent.created']);
  });

  it('refuses a second agent with the same name in the organization with 409', async () => {
    const a = await newAgent(owner);
    expectProblem(await call(agentPath(), { token: owner.token, body: { name: a.name } }), 409);
  });

  it('allows the same name in another organization', async () => {
    const other = await newUser('Other');
    const a = await newAgent(owner);
    const b = await newAgent(other, { name: a.name });
    expect(b.name).toBe(a.name);
    expect(b.id).not.toBe(a.id);
  });

  it('refuses invalid fields with per-field errors', async () => {
    const res = await call(agentPath(), {
      token: owner.token,
      body: { name: 'Bad Name', color: 'red', tags: ['ok', 'ok'], config: 'nope' },
    });
    const p = expectProblem(res, 422);
    expect(p.errors.map((e: any) => e.path).sort()).toEqual(['color', 'config', 'name', 'tags']);
  });

  it('refuses an oversized config', async () => {
    const res = await call(agentPath(), {
      token: owner.token,
      body: { name: unique('big'), config: { blob: 'x'.repeat(17 * 1024) } },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('config');
  });

  it('refuses a role of another organization as a validation error on role_id', async () => {
    const other = await newUser('Other');
    const roles = await call(orgPath(other.orgId, '/roles'), { token: other.token });
    const res = await call(agentPath(), {
      token: owner.token,
      body: { name: unique('a'), role_id: roles.json.data[0].id },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('role_id');
  });

  it('updates fields and tags, and publishes agent.updated', async () => {
    const a = await newAgent(owner, { tags: ['old'] });
    const res = await call(agentPath(a.id), {
      method: 'PATCH',
      token: owner.token,
      body: { display_name: 'New', tags: ['new', 'shiny'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ display_name: 'New', tags: ['new', 'shiny'] });
    const events = await readEvents(owner, a.id);
    expect(events.data.at(-1)).toMatchObject({
      type: 'agent.updated',
      payload: { changed: ['display_name', 'tags'] },
    });
    const byTag = await call(orgPath(owner.orgId, '/agents?tag=old'), { token: owner.token });
    expect(byTag.json.data.map((x: any) => x.id)).not.toContain(a.id);
  });

  it('refuses an empty update with 422', async () => {
    const a = await newAgent(owner);
    expectProblem(await call(agentPath(a.id), { method: 'PATCH', token: owner.token, body: {} }), 422);
  });

  it('deletes an agent; it is then not found', async () => {
    const a = await newAgent(owner);
    expect((await call(agentPath(a.id), { method: 'DELETE', token: owner.token })).status).toBe(204);
    expectProblem(await call(agentPath(a.id), { token: owner.token }), 404);
    expectProblem(await call(orgPath(owner.orgId, `/agents/${a.id}/events`), { token: owner.token }), 404);
    expect(await activityActions(owner, a.id)).toEqual(['agent.deleted', 'agent.created']);
  });
});

describe('agent lists', () => {
  let user: TestUser;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    user = await newUser('Lister');
    ids.ada = (
      await newAgent(user, { name: 'ada', description: 'Graph algorithms', tags: ['rust', 'graphs'] })
    ).id;
    ids.bob = (
      await newAgent(user, { name: 'bob', display_name: 'Robert', tags: ['rust', 'backend', 'sql'] })
    ).id;
    ids.cy = (await newAgent(user, { name: 'cy', tags: ['frontend'] })).id;
    ids.dee = (await newAgent(user, { name: 'dee', tags: ['backend'] })).id;
    await call(orgPath(user.orgId, `/agents/${ids.cy}/stop`), { token: user.token, body: {} });
  });

  const list = async (query: string) => {
    const res = await call(orgPath(user.orgId, `/agents${query}`), { token: user.token });
    expect(res.status, res.text).toBe(200);
    return res.json;
  };

  it('lists by name with cursor pagination', async () => {
    const first = await list('?limit=3');
    expect(first.data.map((a: any) => a.name)).toEqual(['ada', 'bob', 'cy']);
    const second = await list(`?limit=3&cursor=${first.next_cursor}`);
    expect(second.data.map((a: any) => a.name)).toEqual(['dee']);
    expect(second.next_cursor).toBeNull();
  });

  it('filters by status, tag and text', async () => {
    expect((await list('?status=stopped')).data.map((a: any) => a.name)).toEqual(['cy']);
    expect((await list('?status=idle,stopped')).data).toHaveLength(4);
    expect((await list('?tag=backend')).data.map((a: any) => a.name)).toEqual(['bob', 'dee']);
    expect((await list('?q=robert')).data.map((a: any) => a.name)).toEqual(['bob']);
    expect((await list('?q=graph')).data.map((a: any) => a.name)).toEqual(['ada']);
    expect((await list('?q=100%25')).data).toEqual([]);
  });

  it('filters by role and by project through role assignments', async () => {
    const roles = await call(orgPath(user.orgId, '/roles'), { token: user.token });
    const engineer = roles.json.data.find((r: any) => r.slug === 'engineer');
    await call(orgPath(user.orgId, `/agents/${ids.dee}`), {
      method: 'PATCH',
      token: user.token,
      body: { role_id: engineer.id },
    });
    expect((await list(`?role_id=${engineer.id}`)).data.map((a: any) => a.name)).toEqual(['dee']);
    const project = await call(orgPath(user.orgId, '/projects'), {
      token: user.token,
      body: { name: 'Alpha' },
    });
    const ra = await call(orgPath(user.orgId, '/role-assignments'), {
      token: user.token,
      body: { role_id: engineer.id, agent_id: ids.ada, project_id: project.json.id },
    });
    expect(ra.status, ra.text).toBe(201);
    expect((await list(`?project_id=${project.json.id}`)).data.map((a: any) => a.name)).toEqual(['ada']);
  });

  it('refuses an unknown status filter with 422', async () => {
    expectProblem(await call(orgPath(user.orgId, '/agents?status=sleeping'), { token: user.token }), 422);
  });

  it('counts the tags in use, most used first', async () => {
    const res = await call(orgPath(user.orgId, '/agent-tags'), { token: user.token });
    expect(res.json.data.slice(0, 2)).toEqual([
      { tag: 'backend', count: 2 },
      { tag: 'rust', count: 2 },
    ]);
    expect(res.json.data).toContainEqual({ tag: 'frontend', count: 1 });
  });

  it('matches agents by tags, ranked by how many match', async () => {
    const res = await call(orgPath(user.orgId, '/agent-tags/match?tags=rust,backend,sql'), {
      token: user.token,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((m: any) => [m.agent.name, m.score, m.matched_tags])).toEqual([
      ['bob', 3, ['backend', 'rust', 'sql']],
      ['ada', 1, ['rust']],
      ['dee', 1, ['backend']],
    ]);
    expectProblem(await call(orgPath(user.orgId, '/agent-tags/match'), { token: user.token }), 422);
  });
});

describe('agent lifecycle', () => {
  const command = (id: string, cmd: string, user = owner) =>
    call(orgPath(user.orgId, `/agents/${id}/${cmd}`), { token: user.token, body: {} });

  it('moves through pause, resume, stop, start and restart, each an event and an activity entry', async () => {
    const a = await newAgent(owner);
    const ws = await openSocket(
      orgPath(owner.orgId, `/agents/${a.id}/stream?channels=agent.status`),
      owner.token,
    );
    await ws.next();
    const steps: [string, string][] = [
      ['pause', 'paused'],
      ['resume', 'idle'],
      ['stop', 'stopped'],
      ['start', 'idle'],
      ['restart', 'idle'],
    ];
    for (const [cmd, to] of steps) {
      const res = await command(a.id, cmd);
      expect(res.status, res.text).toBe(200);
      expect(res.json.status).toBe(to);
    }
    const events = await ws.events(5);
    expect(events.map((e) => [e.payload.command, e.payload.from, e.payload.to])).toEqual([
      ['pause', 'idle', 'paused'],
      ['resume', 'paused', 'idle'],
      ['stop', 'idle', 'stopped'],
      ['start', 'stopped', 'idle'],
      ['restart', 'idle', 'idle'],
    ]);
    expect((await activityActions(owner, a.id)).filter((x) => x === 'agent.status')).toHaveLength(5);
    ws.close();
  });

  it.each([
    ['start', 'idle'],
    ['resume', 'idle'],
  ])('refuses %s from %s with 409 naming the current state', async (cmd, state) => {
    const a = await newAgent(owner);
    const p = expectProblem(await command(a.id, cmd), 409);
    expect(p.detail).toContain(`it is ${state}`);
  });

  it('refuses pause of a stopped agent and restart of a stopped agent with 409', async () => {
    const a = await newAgent(owner);
    await command(a.id, 'stop');
    expect(expectProblem(await command(a.id, 'pause'), 409).detail).toContain('it is stopped');
    expect(expectProblem(await command(a.id, 'restart'), 409).detail).toContain('it is stopped');
  });
});

describe('heartbeats', () => {
  const beat = (id: string, body: unknown, token = owner.token) =>
    call(orgPath(owner.orgId, `/agents/${id}/heartbeat`), { token, body });

  it('records the time and current task, and takes the reported status', async () => {
    const a = await newAgent(owner);
    const res = await beat(a.id, { status: 'working', current_task: 'TKT-1' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      status: 'working',
      current_task: 'TKT-1',
      last_heartbeat_at: expect.any(String),
    });
    const quiet = await beat(a.id, {});
    expect(quiet.json).toMatchObject({ status: 'working', current_task: 'TKT-1' });
    expect((await activityActions(owner, a.id)).filter((x) => x === 'agent.status')).toHaveLength(1);
  });

  it('keeps a paused agent paused, so the runtime learns to pause', async () => {
    const a = await newAgent(owner);
    await call(orgPath(owner.orgId, `/agents/${a.id}/pause`), { token: owner.token, body: {} });
    expect((await beat(a.id, { status: 'working' })).json.status).toBe('paused');
  });

  it('is accepted from an agent runtime key with agents:runtime only', async () => {
    const a = await newAgent(owner);
    const { key } = await newApiKey(owner, owner.orgId, ['agents:runtime']);
    expect((await beat(a.id, { status: 'idle' }, key)).status).toBe(200);
    const { key: readOnly } = await newApiKey(owner, owner.orgId, ['agents:read']);
    expectProblem(await beat(a.id, {}, readOnly), 403);
  });

  it('refuses a status a runtime may not set with 422', async () => {
    const a = await newAgent(owner);
    expectProblem(await beat(a.id, { status: 'paused' }), 422);
  });

  it('marks running agents with a stale heartbeat offline in housekeeping, and a heartbeat brings them back', async () => {
    const a = await newAgent(owner);
    await beat(a.id, { status: 'working' });
    const stopped = await newAgent(owner);
    await call(orgPath(owner.orgId, `/agents/${stopped.id}/stop`), { token: owner.token, body: {} });
    await runScheduled('* * * * *', env, Date.now() + HEARTBEAT_STALE_MS + 1000);
    const got = await call(agentPath(a.id), { token: owner.token });
    expect(got.json.status).toBe('offline');
    expect((await call(agentPath(stopped.id), { token: owner.token })).json.status).toBe('stopped');
    const events = await readEvents(owner, a.id, '?channels=agent.status');
    expect(events.data.at(-1).payload).toMatchObject({
      from: 'working',
      to: 'offline',
      reason: 'housekeeping',
    });
    expect((await beat(a.id, {})).json.status).toBe('idle');
  });
});

describe('messages', () => {
  it('stores a message as an agent.message event and answers with its sequence number', async () => {
    const a = await newAgent(owner);
    const res = await call(orgPath(owner.orgId, `/agents/${a.id}/messages`), {
      token: owner.token,
      body: { content: 'Please review PR 7', metadata: { pr: 7 } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      seq: 2,
      content: 'Please review PR 7',
    });
    const events = await readEvents(owner, a.id, '?channels=agent.message');
    expect(events.data[0]).toMatchObject({
      seq: 2,
      payload: {
        message_id: res.json.id,
        content: 'Please review PR 7',
        from: { type: 'user', id: owner.id },
      },
    });
  });

  it('sends a message once when retried with the same Idempotency-Key', async () => {
    const a = await newAgent(owner);
    const send = () =>
      call(orgPath(owner.orgId, `/agents/${a.id}/messages`), {
        token: owner.token,
        body: { content: 'once' },
        headers: { 'Idempotency-Key': `k-${a.id}` },
      });
    const first = await send();
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json.id).toBe(first.json.id);
    expect((await readEvents(owner, a.id, '?channels=agent.message')).data).toHaveLength(1);
  });

  it('refuses an empty message with 422', async () => {
    const a = await newAgent(owner);
    expectProblem(
      await call(orgPath(owner.orgId, `/agents/${a.id}/messages`), {
        token: owner.token,
        body: { content: '' },
      }),
      422,
    );
  });
});

describe('runtime events', () => {
  it('publishes one event or a batch, with consecutive sequence numbers', async () => {
    const a = await newAgent(owner);
    const one = await call(orgPath(owner.orgId, `/agents/${a.id}/events`), {
      token: owner.token,
      body: { type: 'agent.thinking', payload: { text: 'hmm' } },
    });
    expect(one.status, one.text).toBe(201);
    expect(one.json.data.map((e: any) => e.seq)).toEqual([2]);
    const batch = await call(orgPath(owner.orgId, `/agents/${a.id}/events`), {
      token: owner.token,
      body: {
        events: [
          { type: 'agent.output', payload: { text: 'a' } },
          { type: 'agent.tool_call', payload: { tool: 'x' } },
        ],
      },
    });
    expect(batch.json.data.map((e: any) => [e.seq, e.type])).toEqual([
      [3, 'agent.output'],
      [4, 'agent.tool_call'],
    ]);
  });

  it('refuses event types a runtime may not publish with 422', async () => {
    const a = await newAgent(owner);
    for (const type of ['agent.status', 'agent.message', 'nonsense']) {
      expectProblem(
        await call(orgPath(owner.orgId, `/agents/${a.id}/events`), {
          token: owner.token,
          body: { type, payload: {} },
        }),
        422,
      );
    }
  });

  it('publishes the agent event types from the one event catalog', async () => {
    const res = await call('/api/v1/events/catalog');
    const types = res.json.events.map((e: any) => e.type);
    for (const t of ['agent.status', 'agent.message', 'agent.output', 'agent.tool_call', 'agent.thinking'])
      expect(types).toContain(t);
  });
});
