import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MeasuredStore } from '../../durable-objects/chat-session/measured';
import { SessionStore } from '../../durable-objects/chat-session/store';
import { fitHistory, type HistoryMessage } from '../../src/domain/chat/context';
import type { MessageStatus } from '../../src/domain/chat/protocol';

const message = (i: number, words: number): HistoryMessage => ({
  id: `msg_${i}`,
  role: i % 2 === 0 ? 'user' : 'assistant',
  content: 'word '.repeat(words).trim(),
  status: 'complete',
  measured: { tokens: words, chars: 5 * words - 1 },
});

/** Newest first, counting how many messages were read. */
function* newestFirst(count: number, words: number, read: { n: number }) {
  for (let i = count - 1; i >= 0; i--) {
    read.n++;
    yield message(i, words);
  }
}

describe('fitting history to a budget', () => {
  it('keeps the newest messages that fit, oldest first, and reads no further back', () => {
    const read = { n: 0 };
    const fitted = fitHistory(newestFirst(10_000, 10, read), 35);
    expect(fitted.full).toBe(true);
    expect(fitted.messages.map((m) => m.id)).toEqual(['msg_9997', 'msg_9998', 'msg_9999']);
    expect(read.n).toBe(4);
  });

  it('says nothing was left out when the whole history fits', () => {
    const read = { n: 0 };
    const fitted = fitHistory(newestFirst(3, 10, read), 100);
    expect(fitted).toMatchObject({ full: false });
    expect(fitted.messages.map((m) => m.id)).toEqual(['msg_0', 'msg_1', 'msg_2']);
  });

  it('estimates what the model never measured, at four characters a token', () => {
    const unmeasured = { ...message(0, 10), measured: null };
    // 49 characters: 13 tokens and 4 of message framing.
    expect(fitHistory([unmeasured], 16).full).toBe(true);
    expect(fitHistory([unmeasured], 17).messages).toHaveLength(1);
  });
});

describe("a session's history as its object reads it", () => {
  it('gives every finished message before a position, newest first, across pages, with what was measured', async () => {
    const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.newUniqueId());
    await runInDurableObject(stub, async (_o, state) => {
      const store = new SessionStore(state.storage);
      const measured = new MeasuredStore(state.storage.sql);
      const unfinished: MessageStatus[] = ['queued', 'streaming', 'awaiting_approval'];
      const finished: MessageStatus[] = ['complete', 'interrupted', 'cancelled', 'failed'];
      const expected: { seq: number; id: string; measured: boolean }[] = [];
      for (let i = 0; i < 300; i++) {
        // Every seventh message is still in progress; every third has a count from the model.
        const status = i % 7 === 3 ? unfinished[i % 3]! : finished[i % 4]!;
        const { message } = store.insertMessage({
          id: `msg_${i}`,
          role: i % 2 === 0 ? 'user' : 'assistant',
          content: `text ${i}`,
          author: null,
          status,
          replyId: null,
          inReplyTo: null,
          attachments: [],
        });
        if (i % 3 === 0) measured.add(message.id, i, 5);
        if (!unfinished.includes(status))
          expected.push({ seq: message.seq, id: message.id, measured: i % 3 === 0 });
      }
      const before = expected.at(-10)!.seq;
      const wanted = expected.filter((m) => m.seq < before).reverse();
      const read = [...store.historyBefore(before)];
      expect(read.map((m) => m.id)).toEqual(wanted.map((m) => m.id));
      expect(wanted.length).toBeGreaterThan(200);
      expect(read.filter((m) => m.measured !== null).map((m) => m.id)).toEqual(
        wanted.filter((m) => m.measured).map((m) => m.id),
      );
      expect(read.find((m) => m.id === 'msg_3')).toBeUndefined();
      expect(read.find((m) => m.id === 'msg_6')?.measured).toEqual({ tokens: 6, chars: 5 });
      expect(store.historyCount(before)).toBe(wanted.length);
    });
  });
});
