import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../durable-objects/chat-session';
import {
  addMember,
  aiLogs,
  call,
  chat,
  chatPath,
  devModel,
  framesUntil,
  newAgent,
  newChatSession,
  newUser,
  openSocket,
  orgPath,
  resumeReply,
  sendChat,
  sessionWithApprovals,
  textOf,
} from '../support';

const stubOf = (sessionId: string) => env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(sessionId));

/** Tags the live instance, so a later look can tell whether it is still the same one. */
const INSTANCE_TAG = Symbol('instance');
type Tagged = ChatSession & { [INSTANCE_TAG]?: string };

/**
 * Evicts the session's object the way the runtime does: its memory (the instance, open streams and
 * sockets) is thrown away and the next call builds it anew from its storage.
 */
async function evict(sessionId: string) {
  const stub = stubOf(sessionId);
  await runInDurableObject(stub, (instance: Tagged) => {
    instance[INSTANCE_TAG] = 'before';
  });
  // `abort` resets the object and breaks the stub it was reached through; later calls take new stubs.
  await expect(runInDurableObject(stub, (_, state) => state.abort('evicted by the test'))).rejects.toThrow(
    'evicted by the test',
  );
  expect(
    await runInDurableObject(stubOf(sessionId), (instance: Tagged) => instance[INSTANCE_TAG]),
  ).toBeUndefined();
}

const remember = '[[tool:memory_remember {"content":"Releases happen on Thursday","kind":"fact"}]]';
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('the session object evicted between messages', () => {
  it('keeps history, participants and a pending approval; the reply resumes and the next one sees it all', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const s = await sessionWithApprovals(owner, ['memory.remember']);
    const shared = await call(chatPath(owner.orgId, `/${s.id}/share`), {
      token: owner.token,
      body: { user_id: member.id },
    });
    expect(shared.status, shared.text).toBe(200);
    await chat(owner, s.id, 'first things first');
    const sent = await sendChat(owner, s.id, { content: `please ${remember}` });
    const asked = (await framesUntil(sent.frames, (f) => 'approval_required' in f.data)).at(-1)!;
    await sent.frames.close();
    const socket = await openSocket(chatPath(owner.orgId, `/${s.id}/stream`), member.token);
    const { latest_seq: seenUpTo } = await socket.next();

    const read = async (path: string, token = owner.token) => {
      const res = await call(chatPath(owner.orgId, `/${s.id}${path}`), { token });
      expect(res.status, res.text).toBe(200);
      return res.json;
    };
    const [history, participants] = [await read('/messages'), await read('/participants')];
    expect(history.data.map((m: any) => m.status)).toEqual([
      'complete',
      'complete',
      'complete',
      'awaiting_approval',
    ]);

    await evict(s.id);

    expect(await read('/messages')).toEqual(history);
    expect(await read('/messages', member.token)).toEqual(history);
    expect(await read('/participants')).toEqual(participants);

    // The approval asked before the eviction is still pending: approving it resumes the reply in the
    // new instance from its stored steps, and the stream picks up after the approval frame.
    const ok = await call(chatPath(owner.orgId, `/${s.id}/approvals/${asked.data.approval_id}`), {
      token: owner.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, ok.text).toBe(200);
    const rest = await (await resumeReply(owner, s.id, sent.replyId, asked.id)).rest();
    expect(rest.filter((f) => 'tool_use' in f.data).map((f) => f.data.status)).toEqual([
      'started',
      'finished',
    ]);
    expect(rest.at(-1)!.data).toEqual({ done: true });
    // Positions only grow (a new instance may skip ahead to a fresh block of them).
    expect(Number(rest[0]!.id)).toBeGreaterThan(Number(asked.id));

    // A participant who was connected reconnects by position and misses nothing.
    const again = await openSocket(chatPath(owner.orgId, `/${s.id}/stream?after=${seenUpTo}`), member.token);
    expect(await again.next()).toMatchObject({ op: 'ready' });
    const replayed = [];
    for (let i = 0; i < rest.length; i++) replayed.push((await again.next()).event);
    expect(replayed.map((e) => e.seq)).toEqual(rest.map((f) => Number(f.id)));
    again.close();
    socket.close();

    // The next reply's prompt holds the whole stored history: the development model counts every
    // word it is sent, so it is the same question in a new session of the agent plus that history.
    await evict(s.id);
    const before = (await read('/messages')).data as { content: string }[];
    const next = await chat(owner, s.id, 'anything else');
    expect(textOf(next.all)).toBe('You said: anything else');
    const fresh = await newChatSession(owner, { agent_id: s.agent_id });
    await chat(owner, fresh.id, 'anything else');
    const [alone, withHistory] = await aiLogs(owner.token, owner.orgId, 5, '&purpose=chat');
    expect(Number(withHistory!.input_tokens) - Number(alone!.input_tokens)).toBe(
      before.reduce((n, m) => n + words(m.content), 0),
    );
  });

  it('ends a reply cut off mid-stream with an error frame saying so, its text kept, and stays usable', async () => {
    const owner = await newUser();
    // A development model that waits a second between words: the reply is surely mid-stream.
    const slow = await devModel(owner.token, owner.orgId, { config: { tokenDelayMs: 1000 } });
    const s = await newChatSession(owner, { agent_id: (await newAgent(owner, { model: slow.id })).id });
    const sent = await sendChat(owner, s.id, { content: 'a long answer please' });
    const first = await sent.frames.next();
    expect(first!.data).toEqual({ content: 'You' });
    // Frames are written in bursts just after they are sent; reading the messages writes them now,
    // so the object dies with this one stored (one sent in the last moments of it may not be).
    const [, stored] = (await call(chatPath(owner.orgId, `/${s.id}/messages`), { token: owner.token })).json
      .data;
    expect(stored).toMatchObject({ status: 'streaming', content: 'You' });
    await evict(s.id);
    const replay = await (await resumeReply(owner, s.id, sent.replyId)).rest();
    expect(replay.map((f) => f.data)).toEqual([
      { content: 'You' },
      { kind: 'restarted', error: expect.stringContaining('restarted') },
    ]);
    const [, reply] = (await call(chatPath(owner.orgId, `/${s.id}/messages`), { token: owner.token })).json
      .data;
    expect(reply).toMatchObject({ status: 'failed', content: 'You' });
    const quick = await call(orgPath(owner.orgId, `/agents/${s.agent_id}`), {
      method: 'PATCH',
      token: owner.token,
      body: { model: 'dev' },
    });
    expect(quick.status, quick.text).toBe(200);
    expect(textOf((await chat(owner, s.id, 'still there')).all)).toBe('You said: still there');
  });
});
