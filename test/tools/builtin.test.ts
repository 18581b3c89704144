import { beforeAll, describe, expect, it } from 'vitest';
import { agentTools } from '../../src/domain/tools';
import { ApiError } from '../../src/lib/errors';
import {
  activityActions,
  call,
  newAgent,
  newUser,
  orgPath,
  readEvents,
  type TestUser,
  unique,
} from '../support';
import { agentWithRole, orgCtx } from './support';

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser('Operator');
});

describe('built-in tools', () => {
  it('offers each built-in under a model-safe name with its display name and a JSON Schema', async () => {
    const { agentId } = await agentWithRole(owner);
    const tools = await agentTools(orgCtx(owner), agentId, {});
    expect(Object.keys(tools.definitions)).toEqual([
      'memory_remember',
      'memory_recall',
      'tickets_create',
      'tickets_comment',
      'tickets_transition',
    ]);
    for (const name of Object.keys(tools.definitions)) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(tools.definitions.memory_remember).toMatchObject({
      displayName: 'memory.remember',
      description: expect.any(String),
      inputSchema: { type: 'object', required: ['content'], additionalProperties: false },
    });
    expect(tools.definitions.tickets_create!.inputSchema.properties).toHaveProperty('title');
  });

  it('creates a ticket as the agent: the ticket, its activity entry and an agent.tool_call event', async () => {
    const { agentId } = await agentWithRole(owner);
    const tools = await agentTools(orgCtx(owner), agentId, { chatSessionId: 'chs_test' });
    const title = unique('Ship the report');
    const result = await tools.execute('tickets_create', { title, priority: 'P1', assign_to_me: true });
    expect(result).toMatchObject({ ok: true, output: { title, status: 'todo', priority: 'P1' } });
    const ticketId = (result.output as { id: string }).id;

    const ticket = await call(orgPath(owner.orgId, `/tickets/${ticketId}`), { token: owner.token });
    expect(ticket.json).toMatchObject({ title, assignee: { type: 'agent', id: agentId } });
    const created = await activityActions(owner.token, owner.orgId, `&entity_id=${ticketId}`);
    expect(created).toMatchObject([{ action: 'ticket.created', actor: { type: 'agent', id: agentId } }]);
    const calls = await activityActions(
      owner.token,
      owner.orgId,
      `&entity_id=${agentId}&action=agent.tool_call`,
    );
    expect(calls[0]).toMatchObject({
      metadata: { tool: 'tickets.create', builtin: true, is_error: false, chat_session_id: 'chs_test' },
    });
    const events = await readEvents(owner, agentId, '?channels=agent.tool_call');
    expect(events.data[0].payload).toMatchObject({
      tool: 'tickets.create',
      via: 'builtin',
      arguments: { title },
    });
  });

  it('comments on and transitions a ticket; a transition the workflow forbids comes back as ok: false', async () => {
    const { agentId } = await agentWithRole(owner);
    const tools = await agentTools(orgCtx(owner), agentId, { runId: 'run_test', stepKey: 'write' });
    const { id } = (await tools.execute('tickets_create', { title: 'Review the draft' })).output as {
      id: string;
    };
    expect(await tools.execute('tickets_comment', { ticket_id: id, body: 'Started' })).toMatchObject({
      ok: true,
      output: { ticket_id: id },
    });
    expect(await tools.execute('tickets_transition', { ticket_id: id, status: 'in_progress' })).toMatchObject(
      {
        ok: true,
        output: { status: 'in_progress' },
      },
    );
    const refused = await tools.execute('tickets_transition', { ticket_id: id, status: 'in_progress' });
    expect(refused).toMatchObject({ ok: false, output: { error: expect.stringContaining('already') } });
    const comments = await call(orgPath(owner.orgId, `/tickets/${id}/comments`), { token: owner.token });
    expect(comments.json.data[0]).toMatchObject({ body: 'Started', author: { type: 'agent', id: agentId } });
  });

  it('remembers and recalls: own and shared entries, never another agent’s private ones', async () => {
    const { agentId } = await agentWithRole(owner);
    const other = await newAgent(owner);
    const word = unique('pelican');
    const ctx = orgCtx(owner);
    const tools = await agentTools(ctx, agentId, { chatSessionId: 'chs_mem' });
    const own = await tools.execute('memory_remember', {
      content: `The ${word} project ships Fridays`,
      tags: ['Ops'],
    });
    expect(own).toMatchObject({ ok: true, output: { kind: 'fact', shared: false, tags: ['ops'] } });
    const shared = await tools.execute('memory_remember', {
      content: `Every ${word} memo is public`,
      shared: true,
    });
    expect(shared).toMatchObject({ ok: true, output: { shared: true } });
    await (await agentTools(ctx, other.id, {})).execute('memory_remember', {
      content: `Private ${word} note`,
    });

    const recalled = await tools.execute('memory_recall', { query: word });
    const entries = (recalled.output as { entries: { id: string; content: string; shared: boolean }[] })
      .entries;
    expect(entries.map((e) => e.content).sort()).toEqual(
      [`Every ${word} memo is public`, `The ${word} project ships Fridays`].sort(),
    );
    const entry = await call(orgPath(owner.orgId, `/memory/${(own.output as { id: string }).id}`), {
      token: owner.token,
    });
    expect(entry.json).toMatchObject({ agent_id: agentId, source: 'chat', created_by: agentId });
  });

  it('answers bad arguments and unknown tools with ok: false and what to fix, recording the call', async () => {
    const { agentId } = await agentWithRole(owner);
    const tools = await agentTools(orgCtx(owner), agentId, {});
    const bad = await tools.execute('memory_remember', { content: '', kind: 'rumour' });
    expect(bad.ok).toBe(false);
    expect((bad.output as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual([
      'content',
      'kind',
    ]);
    expect(await tools.execute('no_such_tool', {})).toMatchObject({ ok: false });
    expect(tools.requiresApproval('no_such_tool')).toBe(false);
    const calls = await activityActions(
      owner.token,
      owner.orgId,
      `&entity_id=${agentId}&action=agent.tool_call`,
    );
    expect(calls).toMatchObject([{ metadata: { tool: 'memory.remember', is_error: true } }]);
  });

  it('marks the built-ins a role lists as needing approval', async () => {
    const { roleId, agentId } = await agentWithRole(owner, { tools_requiring_approval: ['tickets.create'] });
    let tools = await agentTools(orgCtx(owner), agentId, {});
    expect(tools.requiresApproval('tickets_create')).toBe(true);
    expect(tools.requiresApproval('memory_recall')).toBe(false);
    const patched = await call(orgPath(owner.orgId, `/roles/${roleId}`), {
      method: 'PATCH',
      token: owner.token,
      body: { tools_requiring_approval: ['memory.remember', 'tickets.transition'] },
    });
    expect(patched.json.tools_requiring_approval).toEqual(['memory.remember', 'tickets.transition']);
    tools = await agentTools(orgCtx(owner), agentId, {});
    expect(tools.requiresApproval('tickets_create')).toBe(false);
    expect(tools.requiresApproval('memory_remember')).toBe(true);
    const bad = await call(orgPath(owner.orgId, `/roles/${roleId}`), {
      method: 'PATCH',
      token: owner.token,
      body: { tools_requiring_approval: ['shell.exec'] },
    });
    expect(bad.status).toBe(422);
  });

  it("refuses another organization's agent as not found", async () => {
    const stranger = await newUser('Stranger');
    const theirs = await newAgent(stranger);
    await expect(agentTools(orgCtx(owner), theirs.id, {})).rejects.toSatisfy(
      (e) => e instanceof ApiError && e.status === 404,
    );
  });
});
