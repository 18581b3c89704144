import { describe, expect, it } from 'vitest';
import {
  aiLogs,
  call,
  chat,
  chatPath,
  devModel,
  newAgent,
  newChatSession,
  newUser,
  type TestUser,
  textOf,
} from '../support';

/**
 * A session whose agent uses a development model with a small context window. The development
 * model reports one token a word, so text of one-letter words costs about twice the four
 * characters a token estimate, and text of one long word almost nothing.
 */
async function smallWindowSession(u: TestUser, contextWindow: number) {
  const model = await devModel(u.token, u.orgId, { context_window: contextWindow });
  const agent = await newAgent(u, { model: model.id });
  return newChatSession(u, { agent_id: agent.id });
}

const replies = async (u: TestUser, sessionId: string) =>
  ((await call(chatPath(u.orgId, `/${sessionId}/messages`), { token: u.token })).json.data as any[]).filter(
    (m) => m.role === 'assistant',
  );

describe('history fitted to the model’s context window', () => {
  it('counts earlier messages as the model reported them, so a dense conversation never overflows the window', async () => {
    const u = await newUser();
    const window = 700;
    const s = await smallWindowSession(u, window);
    // 200 one-letter words: 400 characters, estimated at about 104 tokens, reported as 200.
    const dense = Array.from({ length: 200 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' ');
    for (let i = 0; i < 3; i++) expect(textOf((await chat(u, s.id, dense)).all)).toBe(`You said: ${dense}`);

    const calls = await aiLogs(u.token, u.orgId, 3, '&purpose=chat');
    // By the estimate the whole history would have looked like it fit (about 430 tokens of 580),
    // and the third prompt would have been over 1,000 tokens in a window of 700.
    for (const c of calls) expect(Number(c.input_tokens)).toBeLessThanOrEqual(window);
    const [first, second, third] = await replies(u, s.id);
    expect([first.note, second.note]).toEqual([null, null]);
    expect(third.note).toBe(
      "2 earlier messages of this conversation did not fit the model's context window and were left out.",
    );
  });

  it('reads a long history page by page: every message while the window holds it, and counts what it drops', async () => {
    const [roomyOwner, tightOwner] = [await newUser(), await newUser()];
    const roomy = await newChatSession(roomyOwner);
    const tight = await smallWindowSession(tightOwner, 200);
    // 60 exchanges: 120 earlier messages, more than one page of history.
    for (let i = 0; i <= 60; i++) {
      await chat(roomyOwner, roomy.id, `w${i}`);
      await chat(tightOwner, tight.id, `w${i}`);
    }
    const [latest] = await aiLogs(roomyOwner.token, roomyOwner.orgId, 61, '&purpose=chat');
    // The development model counts a word a token: each exchange is "wN" and "You said: wN".
    expect(Number(latest!.input_tokens)).toBeGreaterThanOrEqual(60 * 4 + 1);
    const newest = await call(chatPath(tightOwner.orgId, `/${tight.id}/messages?from=latest&limit=2`), {
      token: tightOwner.token,
    });
    const note = newest.json.data.at(-1)?.note as string;
    const dropped = Number(/^(\d+) earlier messages/.exec(note)?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(120);
  });

  it('keeps history the estimate would have dropped when the model counted it as small', async () => {
    const u = await newUser();
    const s = await smallWindowSession(u, 300);
    // One 400-character word: estimated at over 100 tokens a message, reported as one.
    const sparse = 'x'.repeat(400);
    for (let i = 0; i < 4; i++) await chat(u, s.id, sparse);
    expect((await replies(u, s.id)).map((r) => r.note)).toEqual([null, null, null, null]);
    const [latest] = await aiLogs(u.token, u.orgId, 4, '&purpose=chat');
    // Every earlier message and reply was sent: 3 exchanges of one word and "You said: <word>".
    expect(Number(latest!.input_tokens)).toBeGreaterThanOrEqual(3 * 4 + 1);
  });

  it('estimates what the model never counted: a message whose reply failed', async () => {
    const u = await newUser();
    const s = await smallWindowSession(u, 220);
    const sparse = 'y'.repeat(400);
    await chat(u, s.id, sparse);
    // A provider failure leaves the message unanswered and unmeasured, so it is estimated (over
    // 100 tokens): beside the next question (another 100, estimated too) it no longer fits, and
    // it and everything older are left out, though the first exchange alone was measured as tiny.
    await chat(u, s.id, `${'z'.repeat(400)} [[fail:500]]`);
    await chat(u, s.id, sparse);
    const notes = (await replies(u, s.id)).map((r) => r.note);
    expect(notes[0]).toBeNull();
    expect(notes[2]).toBe(
      "3 earlier messages of this conversation did not fit the model's context window and were left out.",
    );
  });
});
