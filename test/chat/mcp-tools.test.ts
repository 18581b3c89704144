import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  chat,
  chatPath,
  framesUntil,
  newChatSession,
  newUser,
  orgPath,
  readEvents,
  sendChat,
  type TestUser,
  textOf,
} from '../support';
import { installMcpFixture } from '../support/mcp-server';
import { agentWithServer } from '../tools/support';

let owner: TestUser;
let fixture: ReturnType<typeof installMcpFixture>;
beforeAll(async () => {
  owner = await newUser();
  fixture = installMcpFixture();
});
afterAll(() => fixture.restore());

const _post = (rest: string, body: unknown, method = 'POST') =>
  call(orgPath(owner.orgId, `/${rest}`), { method, token: owner.token, body });

/** A session whose agent's role has the fixture MCP server (a real MCP SDK server) assigned. */
async function sessionWithMcpServer(link: Record<string, unknown> = {}) {
  const { server, agentId } = await agentWithServer(owner, link);
  const session = await newChatSession(owner, { agent_id: agentId });
  return { session, agentId, server };
}

/** The arguments of every call of `tool` the fixture server ran. */
const callsSeen = (tool: string) => fixture.calls.filter((c) => c.tool === tool).map((c) => c.args);

describe('a reply calling an MCP tool of the agent’s role', () => {
  it('streams started and finished frames, gives the result to the model, and records the call', async () => {
    const { session, agentId, server } = await sessionWithMcpServer();
    const tool = `${server.name}_add`;
    const before = callsSeen('add').length;
    const { all, replyId } = await chat(owner, session.id, `sum [[tool:${tool} {"a":2,"b":5}]]`);

    const toolFrames = all.filter((f) => 'tool_use' in f.data).map((f) => f.data);
    expect(toolFrames).toEqual([
      { tool_use: tool, tool_call_id: 'dev_call_1', status: 'started', args: { a: 2, b: 5 } },
      {
        tool_use: tool,
        tool_call_id: 'dev_call_1',
        status: 'finished',
        result: { content: [{ type: 'text', text: '7' }], structured_content: { sum: 7 } },
      },
    ]);
    // The development model answers from the tool result it was given back: the server's sum.
    expect(textOf(all)).toBe(
      `Tool ${tool} returned: {"content":[{"type":"text","text":"7"}],"structured_content":{"sum":7}}`,
    );
    expect(all.at(-1)!.data).toEqual({ done: true });
    expect(callsSeen('add').slice(before)).toEqual([{ a: 2, b: 5 }]);

    const events = await readEvents(owner, agentId, '?channels=agent.tool_call');
    const ofReply = events.data.filter((e: any) => e.payload.message_id === replyId);
    expect(ofReply.map((e: any) => e.payload)).toEqual([
      expect.objectContaining({
        tool,
        tool_call_id: 'dev_call_1',
        status: 'finished',
        chat_session_id: session.id,
      }),
    ]);
    // The platform's MCP client records the call at the server too, naming the server and the session.
    expect(events.data.map((e: any) => e.payload)).toContainEqual(
      expect.objectContaining({
        server_id: server.id,
        tool: 'add',
        via: 'chat',
        chat_session_id: session.id,
      }),
    );
    const activity = await call(orgPath(owner.orgId, '/activity?action=agent.tool_call'), {
      token: owner.token,
    });
    expect(activity.json.data.filter((e: any) => e.metadata?.message_id === replyId)).toEqual([
      expect.objectContaining({
        entity: { type: 'agent', id: agentId },
        actor: { type: 'user', id: owner.id },
        metadata: expect.objectContaining({ tool, status: 'finished', tool_call_id: 'dev_call_1' }),
      }),
    ]);

    const msgs = await call(chatPath(owner.orgId, `/${session.id}/messages`), { token: owner.token });
    expect(msgs.json.data[1]).toMatchObject({
      id: replyId,
      status: 'complete',
      tool_calls: [
        { name: tool, status: 'finished', args: { a: 2, b: 5 }, result: { structured_content: { sum: 7 } } },
      ],
    });
  });

  it('a tool the server fails reports a failed frame and the model reads the error', async () => {
    const { session, server } = await sessionWithMcpServer();
    const tool = `${server.name}_explode`;
    const { all } = await chat(owner, session.id, `try [[tool:${tool}]]`);
    expect(all.find((f) => f.data.status === 'failed')!.data).toMatchObject({
      tool_use: tool,
      error: expect.stringContaining('kaboom'),
    });
    expect(textOf(all)).toContain('kaboom');
    expect(all.at(-1)!.data).toEqual({ done: true });
  });

  it('waits for approval when the role’s link requires it; approved, the server is called and the reply ends', async () => {
    const { session, server } = await sessionWithMcpServer({ requires_approval: true });
    const tool = `${server.name}_echo`;
    const before = callsSeen('echo').length;
    const sent = await sendChat(owner, session.id, { content: `say [[tool:${tool} {"text":"hi there"}]]` });
    const asked = (await framesUntil(sent.frames, (f) => 'approval_required' in f.data)).at(-1)!;
    expect(asked.data).toMatchObject({ tool, args: { text: 'hi there' }, approval_id: expect.any(String) });
    // Nothing reaches the server before a person says yes.
    expect(callsSeen('echo').length).toBe(before);

    const ok = await call(chatPath(owner.orgId, `/${session.id}/approvals/${asked.data.approval_id}`), {
      token: owner.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, ok.text).toBe(200);
    const rest = await sent.frames.rest();
    expect(rest.filter((f) => 'tool_use' in f.data).map((f) => f.data.status)).toEqual([
      'started',
      'finished',
    ]);
    expect(textOf(rest)).toBe(
      `Tool ${tool} returned: {"content":[{"type":"text","text":"hi there"}],"structured_content":null}`,
    );
    expect(rest.at(-1)!.data).toEqual({ done: true });
    expect(callsSeen('echo').slice(before)).toEqual([{ text: 'hi there' }]);
  });
});
