import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  chatPath,
  newChatSession,
  newUser,
  openSocket,
  openSse,
  sendChat,
} from '../support';

async function sharedSession() {
  const owner = await newUser();
  const member = await newUser();
  await addMember(owner, owner.orgId, member, 'member');
  const s = await newChatSession(owner);
  const shared = await call(chatPath(owner.orgId, `/${s.id}/share`), {
    token: owner.token,
    body: { user_id: member.id },
  });
  expect(shared.status, shared.text).toBe(200);
  return { owner, member, s };
}

describe('participants live', () => {
  it('a second participant over WebSocket sees the user message and the reply live, in order', async () => {
    const { owner, member, s } = await sharedSession();
    const ws = await openSocket(chatPath(owner.orgId, `/${s.id}/stream`), member.token);
    expect(await ws.next()).toMatchObject({ op: 'ready', latest_seq: 0, online: [member.id] });
    const sent = await sendChat(owner, s.id, { content: 'hello team' });
    const seen = await ws.next();
    expect(seen).toMatchObject({
      op: 'event',
      event: { type: 'message', message: { id: sent.messageId, content: 'hello team' } },
    });
    let text = '';
    for (;;) {
      const f = await ws.next();
      expect(f.op).toBe('event');
      expect(f.event).toMatchObject({ type: 'frame', reply_id: sent.replyId });
      if ('done' in f.event.frame) break;
      text += f.event.frame.content;
    }
    expect(text).toBe('You said: hello team');
    await sent.frames.rest();
    ws.close();
  });

  it('sees presence: join, typing and leave', async () => {
    const { owner, member, s } = await sharedSession();
    const a = await openSocket(chatPath(owner.orgId, `/${s.id}/stream`), owner.token);
    await a.next();
    const b = await openSocket(chatPath(owner.orgId, `/${s.id}/stream`), member.token);
    expect(await b.next()).toMatchObject({
      op: 'ready',
      online: expect.arrayContaining([owner.id, member.id]),
    });
    expect(await a.next()).toEqual({ op: 'presence', user_id: member.id, state: 'join' });
    b.send({ op: 'typing' });
    expect(await a.next()).toEqual({ op: 'presence', user_id: member.id, state: 'typing' });
    b.close();
    expect(await a.next()).toEqual({ op: 'presence', user_id: member.id, state: 'leave' });
    a.close();
  });

  it('resumes by position: a socket opened with ?after= replays what it missed, and SSE does the same', async () => {
    const { owner, member, s } = await sharedSession();
    const first = await sendChat(owner, s.id, { content: 'one' });
    const frames = await first.frames.rest();
    const lastSeq = Number(frames.at(-1)!.id);
    const second = await sendChat(owner, s.id, { content: 'two' });
    await second.frames.rest();
    const ws = await openSocket(chatPath(owner.orgId, `/${s.id}/stream?after=${lastSeq}`), member.token);
    expect((await ws.next()).op).toBe('ready');
    const replayed = await ws.next();
    expect(replayed.event).toMatchObject({ seq: lastSeq + 1, type: 'message', message: { content: 'two' } });
    ws.close();

    const sse = await openSse(chatPath(owner.orgId, `/${s.id}/stream`), member.token, {
      'Last-Event-ID': String(lastSeq),
    });
    const msg = await sse.next();
    expect(msg).toMatchObject({ id: String(lastSeq + 1), event: 'message' });
    await sse.close();
  });
});
