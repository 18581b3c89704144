import { describe, expect, it } from 'vitest';
import {
  call,
  chat,
  chatPath,
  expectProblem,
  framesUntil,
  newChatSession,
  newUser,
  orgPath,
  sendChat,
  sessionWithApprovals,
  textOf,
} from '../support';

const remember = '[[tool:memory_remember {"content":"The deploy day is Thursday","kind":"fact"}]]';

describe('tools in a reply', () => {
  it('runs a tool between model turns: started and finished frames, then the answer from its result', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const { all, replyId } = await chat(u, s.id, `note this ${remember}`);
    const tool = all.filter((f) => 'tool_use' in f.data).map((f) => [f.data.tool_use, f.data.status]);
    expect(tool).toEqual([
      ['memory_remember', 'started'],
      ['memory_remember', 'finished'],
    ]);
    expect(textOf(all)).toMatch(/^Tool memory_remember returned: /);
    expect(all.at(-1)!.data).toEqual({ done: true });
    const msgs = await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token });
    expect(msgs.json.data[1]).toMatchObject({
      id: replyId,
      tool_calls: [{ name: 'memory_remember', status: 'finished' }],
    });
  });

  it('records each tool call as an agent.tool_call activity entry and hub event', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    await chat(u, s.id, `note ${remember}`);
    const activity = await call(orgPath(u.orgId, `/activity?action=agent.tool_call`), { token: u.token });
    expect(activity.json.data.some((e: any) => e.metadata?.tool === 'memory_remember')).toBe(true);
    const events = await call(orgPath(u.orgId, `/agents/${s.agent_id}/events`), { token: u.token });
    expect(events.json.data.some((e: any) => e.type === 'agent.tool_call')).toBe(true);
  });

  it('stops at the step limit with an error frame', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const { all } = await chat(u, s.id, `loop ${remember}`, { max_steps: 1 });
    expect(all.at(-1)!.data).toMatchObject({ kind: 'max_steps' });
  });
});

describe('tool approval', () => {
  it('pauses for approval, and an approved call runs and the reply finishes', async () => {
    const u = await newUser();
    const s = await sessionWithApprovals(u, ['memory.remember']);
    const sent = await sendChat(u, s.id, { content: `please ${remember}` });
    const [asked] = (await framesUntil(sent.frames, (f) => 'approval_required' in f.data)).slice(-1);
    expect(asked!.data).toMatchObject({
      tool: 'memory_remember',
      args: { kind: 'fact' },
      approval_id: expect.any(String),
    });
    const ok = await call(chatPath(u.orgId, `/${s.id}/approvals/${asked!.data.approval_id}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, ok.text).toBe(200);
    const rest = await sent.frames.rest();
    expect(rest.filter((f) => 'tool_use' in f.data).map((f) => f.data.status)).toEqual([
      'started',
      'finished',
    ]);
    expect(rest.at(-1)!.data).toEqual({ done: true });
    expectProblem(
      await call(chatPath(u.orgId, `/${s.id}/approvals/${asked!.data.approval_id}`), {
        token: u.token,
        body: { decision: 'approve' },
      }),
      409,
    );
  });

  it('a rejected call is reported to the model as refused, with the reason', async () => {
    const u = await newUser();
    const s = await sessionWithApprovals(u, ['memory.remember']);
    const sent = await sendChat(u, s.id, { content: `please ${remember}` });
    const asked = (await framesUntil(sent.frames, (f) => 'approval_required' in f.data)).at(-1)!;
    await call(chatPath(u.orgId, `/${s.id}/approvals/${asked.data.approval_id}`), {
      token: u.token,
      body: { decision: 'reject', reason: 'not now' },
    });
    const rest = await sent.frames.rest();
    expect(rest.find((f) => 'tool_use' in f.data)!.data).toMatchObject({
      status: 'failed',
      error: 'rejected: not now',
    });
    expect(textOf(rest)).toContain('rejected: not now');
    expect(rest.at(-1)!.data).toEqual({ done: true });
  });

  it('an unanswered approval expires, the call counts as refused and the reply goes on', async () => {
    const u = await newUser();
    const s = await sessionWithApprovals(u, ['memory.remember']);
    const sent = await sendChat(u, s.id, { content: `please ${remember}` });
    const asked = (await framesUntil(sent.frames, (f) => 'approval_required' in f.data)).at(-1)!;
    const { env } = await import('cloudflare:test');
    const object = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(s.id));
    // What the object's alarm does when the approval's time is up, called with that time.
    expect(await object.expireApprovals(Date.parse(asked.data.expires_at))).toBe(1);
    const rest = await sent.frames.rest();
    expect(rest.find((f) => 'tool_use' in f.data)!.data).toMatchObject({
      status: 'failed',
      error: 'the approval expired',
    });
    expect(rest.at(-1)!.data).toEqual({ done: true });
    expectProblem(
      await call(chatPath(u.orgId, `/${s.id}/approvals/${asked.data.approval_id}`), {
        token: u.token,
        body: { decision: 'approve' },
      }),
      409,
    );
  });
});
