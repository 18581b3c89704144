import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, chat, chatPath, newChatSession, newUser, resumeReply, sendChat, textOf } from '../support';

describe('streaming a reply', () => {
  it('answers a message with content frames then done, each with an id, and stores both messages', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const { all, messageId, replyId, res } = await chat(u, s.id, 'hello there agent');
    expect(res.headers.get('Content-Type')).toContain('text/event-stream');
    expect(textOf(all)).toBe('You said: hello there agent');
    expect(all.at(-1)!.data).toEqual({ done: true });
    const ids = all.map((f) => Number(f.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);

    const msgs = await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token });
    expect(msgs.json.data.map((m: any) => [m.id, m.role, m.status, m.content])).toEqual([
      [messageId, 'user', 'complete', 'hello there agent'],
      [replyId, 'assistant', 'complete', 'You said: hello there agent'],
    ]);
  });

  it('lets a page on another origin read the message and reply ids of its send', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const res = await SELF.fetch(`https://foreman.test${chatPath(u.orgId, `/${s.id}/messages`)}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${u.token}`,
        'Content-Type': 'application/json',
        Origin: 'https://app.example',
      },
      body: JSON.stringify({ content: 'hi' }),
    });
    expect(res.status).toBe(200);
    const exposed = res.headers.get('Access-Control-Expose-Headers')!.split(',');
    expect(exposed).toEqual(expect.arrayContaining(['X-Message-Id', 'X-Reply-Id']));
    expect(res.headers.get('X-Reply-Id')).toMatch(/^msg_/);
    await res.body!.cancel();
  });

  it('resumes by Last-Event-ID mid-reply, losing and repeating nothing', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const sent = await sendChat(u, s.id, { content: words });
    const firstPart = [await sent.frames.next(), await sent.frames.next(), await sent.frames.next()];
    await sent.frames.close();
    const resumed = await resumeReply(u, s.id, sent.replyId, firstPart.at(-1)!.id);
    const rest = await resumed.rest();
    const all = [...firstPart, ...rest] as { id?: string; data: any }[];
    expect(textOf(all)).toBe(`You said: ${words}`);
    const ids = all.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.at(-1)!.data).toEqual({ done: true });
  });

  it('resumes with ?after= through the user message id too, and a finished reply replays and ends', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const { all, messageId } = await chat(u, s.id, 'one two three');
    const again = await resumeReply(u, s.id, messageId, undefined, `?after=${all[1]!.id}`);
    expect((await again.rest()).map((f) => f.id)).toEqual(all.slice(2).map((f) => f.id));
  });

  it('finishes and stores the reply when the sending client goes away at once', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const sent = await sendChat(u, s.id, { content: 'are you still there' });
    await sent.frames.close();
    // The reply runs in the session: reading it from the start shows it complete.
    const replay = await resumeReply(u, s.id, sent.replyId);
    expect(textOf(await replay.rest())).toBe('You said: are you still there');
    const reply = await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token });
    expect(reply.json.data[1]).toMatchObject({
      status: 'complete',
      content: 'You said: are you still there',
    });
  });

  it('a provider failure ends the reply with an error frame and the session stays usable', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const failed = await chat(u, s.id, 'break [[fail:500]]');
    expect(failed.all.at(-1)!.data).toMatchObject({ kind: 'provider', error: expect.any(String) });
    const ok = await chat(u, s.id, 'again');
    expect(textOf(ok.all)).toBe('You said: again');
  });

  it('pages messages both ways with cursors', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    for (const t of ['a', 'b', 'c']) await chat(u, s.id, t);
    const base = chatPath(u.orgId, `/${s.id}/messages`);
    const latest = await call(`${base}?limit=2&from=latest`, { token: u.token });
    expect(latest.json.data.map((m: any) => m.content)).toEqual(['c', 'You said: c']);
    expect(latest.json.next_cursor).toBeNull();
    const older = await call(`${base}?limit=2&cursor=${latest.json.prev_cursor}`, { token: u.token });
    expect(older.json.data.map((m: any) => m.content)).toEqual(['b', 'You said: b']);
    const newer = await call(`${base}?limit=2&cursor=${older.json.next_cursor}`, { token: u.token });
    expect(newer.json.data.map((m: any) => m.content)).toEqual(['c', 'You said: c']);
    const first = await call(`${base}?limit=4`, { token: u.token });
    expect(first.json.data).toHaveLength(4);
    expect(first.json.prev_cursor).toBeNull();
  });

  it('deletes one message', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const { messageId } = await chat(u, s.id, 'oops');
    const del = await call(chatPath(u.orgId, `/${s.id}/messages/${messageId}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(del.status).toBe(204);
    const left = await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token });
    expect(left.json.data.map((m: any) => m.role)).toEqual(['assistant']);
  });
});
