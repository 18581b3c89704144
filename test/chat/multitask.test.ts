import { describe, expect, it } from 'vitest';
import {
  aiLogs,
  call,
  chatPath,
  devModel,
  expectProblem,
  framesUntil,
  newUser,
  orgPath,
  sendChat,
  sessionWithApprovals,
  type TestUser,
  textOf,
} from '../support';

const paused = '[[tool:memory_remember {"content":"x","kind":"note"}]]';

/** A session whose first reply is deterministically still running: it waits for an approval. */
async function runningReply(u: TestUser, multitask = 'reject') {
  const s = await sessionWithApprovals(u, ['memory.remember'], { multitask });
  const first = await sendChat(u, s.id, { content: `first ${paused}` });
  const asked = (await framesUntil(first.frames, (f) => 'approval_required' in f.data)).at(-1)!;
  return { s, first, approvalId: asked.data.approval_id as string };
}

const messages = async (u: TestUser, sessionId: string) =>
  (await call(chatPath(u.orgId, `/${sessionId}/messages`), { token: u.token })).json.data as any[];

describe('a message sent while a reply runs', () => {
  it('reject: 409 naming the running reply, and nothing is stored', async () => {
    const u = await newUser();
    const { s, first } = await runningReply(u);
    const res = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      body: { content: 'second' },
    });
    expect(expectProblem(res, 409).detail).toContain(first.replyId);
    expect(await messages(u, s.id)).toHaveLength(2);
  });

  it('enqueue: answered after the running reply ends', async () => {
    const u = await newUser();
    const { s, first, approvalId } = await runningReply(u);
    const second = await sendChat(u, s.id, { content: 'second', multitask: 'enqueue' });
    expect((await messages(u, s.id)).map((m) => m.status)).toEqual([
      'complete',
      'awaiting_approval',
      'complete',
      'queued',
    ]);
    await call(chatPath(u.orgId, `/${s.id}/approvals/${approvalId}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect((await first.frames.rest()).at(-1)!.data).toEqual({ done: true });
    const answer = await second.frames.rest();
    expect(textOf(answer)).toBe('You said: second');
    expect((await messages(u, s.id)).map((m) => m.status)).toEqual([
      'complete',
      'complete',
      'complete',
      'complete',
    ]);
  });

  it('enqueue: the queued reply answers with the model and tools it was sent with, not later ones', async () => {
    const u = await newUser();
    const { s, first, approvalId } = await runningReply(u);
    const later = await devModel(u.token, u.orgId);
    // The queued message asks for the tool that needs approval; it was sent while no model was set.
    const second = await sendChat(u, s.id, { content: `second ${paused}`, multitask: 'enqueue' });
    const changed = await call(orgPath(u.orgId, `/agents/${s.agent_id}`), {
      method: 'PATCH',
      token: u.token,
      body: { model: later.id },
    });
    expect(changed.status, changed.text).toBe(200);
    await call(chatPath(u.orgId, `/${s.id}/approvals/${approvalId}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect((await first.frames.rest()).at(-1)!.data).toEqual({ done: true });
    const asked = await framesUntil(second.frames, (f) => 'approval_required' in f.data);
    expect(asked.at(-1)!.data).toMatchObject({ approval_required: true, tool: 'memory_remember' });
    const logs = await aiLogs(u.token, u.orgId, 3, '&purpose=chat');
    const models = logs.map((l) => l.model_id);
    expect(models).toHaveLength(3);
    expect(models.every((m) => typeof m === 'string' && m !== later.id)).toBe(true);
  });

  it('enqueue: a queued reply whose model was disabled meanwhile answers with the one resolved now', async () => {
    const u = await newUser();
    const { s, first, approvalId } = await runningReply(u);
    const chosen = await devModel(u.token, u.orgId);
    const agent = orgPath(u.orgId, `/agents/${s.agent_id}`);
    expect((await call(agent, { method: 'PATCH', token: u.token, body: { model: chosen.id } })).status).toBe(
      200,
    );
    const second = await sendChat(u, s.id, { content: 'second', multitask: 'enqueue' });
    const disabled = await call(orgPath(u.orgId, `/models/${chosen.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { enabled: false },
    });
    expect(disabled.status, disabled.text).toBe(200);
    await call(chatPath(u.orgId, `/${s.id}/approvals/${approvalId}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect((await first.frames.rest()).at(-1)!.data).toEqual({ done: true });
    expect(textOf(await second.frames.rest())).toBe('You said: second');
    const logs = await aiLogs(u.token, u.orgId, 3, '&purpose=chat');
    expect(logs.map((l) => l.model_id)).not.toContain(chosen.id);
  });

  it('enqueue: an approval switched on after a message was sent applies to its reply', async () => {
    const u = await newUser();
    const { s, first, approvalId } = await runningReply(u);
    const recall = '[[tool:memory_recall {"query":"anything"}]]';
    const second = await sendChat(u, s.id, { content: `second ${recall}`, multitask: 'enqueue' });
    const roleId = (await call(orgPath(u.orgId, `/agents/${s.agent_id}`), { token: u.token })).json.role_id;
    const stricter = await call(orgPath(u.orgId, `/roles/${roleId}`), {
      method: 'PATCH',
      token: u.token,
      body: { tools_requiring_approval: ['memory.remember', 'memory.recall'] },
    });
    expect(stricter.status, stricter.text).toBe(200);
    await call(chatPath(u.orgId, `/${s.id}/approvals/${approvalId}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect((await first.frames.rest()).at(-1)!.data).toEqual({ done: true });
    const asked = await framesUntil(second.frames, (f) => 'approval_required' in f.data);
    expect(asked.at(-1)!.data).toMatchObject({ approval_required: true, tool: 'memory_recall' });
    expect(asked.some((f) => f.data.status === 'started')).toBe(false);
  });

  it('interrupt: the running reply stops, kept and marked interrupted, and the new one is answered', async () => {
    const u = await newUser();
    const { s, first } = await runningReply(u, 'interrupt');
    const second = await sendChat(u, s.id, { content: 'never mind' });
    expect((await first.frames.rest()).at(-1)!.data).toMatchObject({ kind: 'interrupted' });
    expect(textOf(await second.frames.rest())).toBe('You said: never mind');
    const stored = await messages(u, s.id);
    expect(stored[1]).toMatchObject({
      id: first.replyId,
      status: 'interrupted',
      note: expect.stringContaining('Interrupted'),
    });
  });

  it('the session policy is overridden per message', async () => {
    const u = await newUser();
    const { s } = await runningReply(u, 'enqueue');
    const res = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      body: { content: 'no queue', multitask: 'reject' },
    });
    expectProblem(res, 409);
  });
});

describe('cancel', () => {
  it('stops the running reply with an error frame, and the session stays usable', async () => {
    const u = await newUser();
    const { s, first } = await runningReply(u);
    const res = await call(chatPath(u.orgId, `/${s.id}/cancel`), { method: 'POST', token: u.token });
    expect(res.json).toEqual({ cancelled: first.replyId });
    expect((await first.frames.rest()).at(-1)!.data).toMatchObject({ kind: 'cancelled' });
    expectProblem(await call(chatPath(u.orgId, `/${s.id}/cancel`), { method: 'POST', token: u.token }), 409);
    const next = await sendChat(u, s.id, { content: 'still here?' });
    expect(textOf(await next.frames.rest())).toBe('You said: still here?');
  });
});
