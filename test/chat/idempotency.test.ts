import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  addMember,
  aiLogs,
  call,
  chatPath,
  expectProblem,
  FrameReader,
  framesUntil,
  newChatSession,
  newUser,
  sessionWithApprovals,
  type TestUser,
  textOf,
} from '../support';

/** Sends a message with an `Idempotency-Key`. */
async function sendKeyed(u: TestUser, sessionId: string, key: string, body: Record<string, unknown>) {
  const res = await SELF.fetch(`https://foreman.test${chatPath(u.orgId, `/${sessionId}/messages`)}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${u.token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
    },
    body: JSON.stringify(body),
  });
  return {
    res,
    messageId: res.headers.get('X-Message-Id'),
    replyId: res.headers.get('X-Reply-Id'),
    replayed: res.headers.get('Idempotent-Replayed'),
    frames: new FrameReader(res),
  };
}

const messages = async (u: TestUser, sessionId: string) =>
  (await call(chatPath(u.orgId, `/${sessionId}/messages`), { token: u.token })).json.data as any[];

describe('sending a message with an Idempotency-Key', () => {
  it('a retry after the reply finished stores and starts nothing and replays the same reply', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const first = await sendKeyed(u, s.id, 'send-1', { content: 'hello once' });
    expect(first.res.status).toBe(200);
    expect(first.replayed).toBeNull();
    const frames = await first.frames.rest();
    const retry = await sendKeyed(u, s.id, 'send-1', { content: 'hello once' });
    expect(retry.res.status).toBe(200);
    expect([retry.messageId, retry.replyId, retry.replayed]).toEqual([
      first.messageId,
      first.replyId,
      'true',
    ]);
    expect(await retry.frames.rest()).toEqual(frames);
    expect(textOf(frames)).toBe('You said: hello once');
    expect((await messages(u, s.id)).map((m) => m.id)).toEqual([first.messageId, first.replyId]);
    // One model call only: the retry answered from the session, it did not reply again.
    expect(await aiLogs(u.token, u.orgId, 1, '&purpose=chat')).toHaveLength(1);
  });

  it('a retry while the reply still runs joins it instead of being refused as a second message', async () => {
    const u = await newUser();
    // A reply waiting for an approval is deterministically still running; policy reject would 409 a new message.
    const s = await sessionWithApprovals(u, ['memory.remember'], { multitask: 'reject' });
    const body = { content: 'keep [[tool:memory_remember {"content":"x","kind":"note"}]]' };
    const first = await sendKeyed(u, s.id, 'send-running', body);
    const asked = (await framesUntil(first.frames, (f) => 'approval_required' in f.data)).at(-1)!;
    await first.frames.close();

    const retry = await sendKeyed(u, s.id, 'send-running', body);
    expect(retry.res.status).toBe(200);
    expect([retry.messageId, retry.replyId, retry.replayed]).toEqual([
      first.messageId,
      first.replyId,
      'true',
    ]);
    const replayed = await framesUntil(retry.frames, (f) => 'approval_required' in f.data);
    expect(replayed.at(-1)).toEqual(asked);
    expect(await messages(u, s.id)).toHaveLength(2);

    const ok = await call(chatPath(u.orgId, `/${s.id}/approvals/${asked.data.approval_id}`), {
      token: u.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, ok.text).toBe(200);
    expect((await retry.frames.rest()).at(-1)!.data).toEqual({ done: true });
  });

  it('the same key with another body is 422 and stores nothing', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    await (await sendKeyed(u, s.id, 'send-2', { content: 'the original' })).frames.rest();
    const other = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      headers: { 'Idempotency-Key': 'send-2' },
      body: { content: 'something else' },
    });
    expect(expectProblem(other, 422).title).toBe('Idempotency key reused with a different request');
    expect((await messages(u, s.id)).map((m) => m.content)).toEqual([
      'the original',
      'You said: the original',
    ]);
  });

  it('keys are per sender: a participant using the same key sends their own message', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const s = await newChatSession(owner);
    await call(chatPath(owner.orgId, `/${s.id}/share`), { token: owner.token, body: { user_id: member.id } });
    const mine = await sendKeyed(owner, s.id, 'shared-key', { content: 'from me' });
    await mine.frames.rest();
    const theirs = await sendKeyed({ ...member, orgId: owner.orgId }, s.id, 'shared-key', {
      content: 'from me',
    });
    expect(theirs.res.status).toBe(200);
    expect(theirs.replayed).toBeNull();
    expect(theirs.messageId).not.toBe(mine.messageId);
    await theirs.frames.rest();
    expect(await messages(owner, s.id)).toHaveLength(4);
  });

  it('refuses a key longer than 255 characters with 422', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const res = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
      body: { content: 'hi' },
    });
    expectProblem(res, 422);
    expect(await messages(u, s.id)).toHaveLength(0);
  });
});
