import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { HistoryCache, historyPages } from '../../durable-objects/chat-session/history';
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
      const { measured } = store;
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

  it.each([11, 12, 13])(
    'reads the same as storage, through any mix of sends, replies, counts, status changes and deletions (seed %i)',
    async (seed) => {
      const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.newUniqueId());
      await runInDurableObject(stub, async (_o, state) => {
        const store = new SessionStore(state.storage);
        const random = seeded(seed);
        const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
        const statuses: MessageStatus[] = [
          'complete',
          'interrupted',
          'cancelled',
          'failed',
          'streaming',
          'queued',
        ];
        const ids: string[] = [];
        const streaming = new Set<string>();
        let reads = 0;
        for (let op = 0; op < 600; op++) {
          const r = random();
          if (r < 0.25) {
            const id = `msg_${op}`;
            const reply = random() < 0.5;
            store.insertMessage({
              id,
              role: reply ? 'assistant' : 'user',
              content: reply ? '' : `question ${op}`,
              author: null,
              status: reply ? 'streaming' : 'complete',
              replyId: null,
              inReplyTo: null,
              attachments: [],
            });
            ids.push(id);
            if (reply) streaming.add(id);
          } else if (r < 0.4 && streaming.size > 0) {
            const id = pick([...streaming]);
            store.frame(id, { content: ` part ${op}` });
            if (random() < 0.5) {
              store.setStatus(id, pick(statuses.slice(0, 4)));
              streaming.delete(id);
            }
          } else if (r < 0.5 && ids.length > 0) {
            store.measured.add(pick(ids), op, 3);
          } else if (r < 0.55 && ids.length > 0) {
            const id = pick(ids);
            store.setStatus(id, pick(statuses));
          } else if (r < 0.62 && ids.length > 0) {
            // The newest most often: its position is then given to the next message.
            const id = random() < 0.5 ? ids.at(-1)! : pick(ids);
            store.deleteMessage(id);
            ids.splice(ids.indexOf(id), 1);
            streaming.delete(id);
          } else {
            const seqs = store.messages({ limit: 10_000 }).map((m) => m.seq);
            // Mostly the next position; sometimes an older one, or one further on (a stopped reply's).
            const newest = seqs.at(-1) ?? 0;
            const r = random();
            const before = r < 0.6 ? newest + 1 : r < 0.9 ? pick([...seqs, 1]) : newest + 2 + pick([0, 1, 5]);
            const cached = [...store.historyBefore(before)];
            expect(cached).toEqual([...historyPages(state.storage.sql, before)]);
            reads++;
          }
        }
        expect(reads).toBeGreaterThan(150);
      });
    },
  );

  it('reads a changed count, and a message given the position of a deleted one', async () => {
    await withMessages(({ store, add, history }) => {
      const a = add('a');
      expect(history(a)).toEqual([]);
      const b = add('b');
      expect(history(b + 1)).toEqual(['b', 'a']);
      store.measured.add('a', 7, 1);
      expect([...store.historyBefore(b + 1)][1]?.measured).toEqual({ tokens: 7, chars: 1 });
      // d is deleted before the history reaches past it, then e after: g takes d's position.
      const c = add('c');
      add('d');
      const e = add('e');
      store.deleteMessage('d');
      expect(history(e)).toEqual(['c', 'b', 'a']);
      store.deleteMessage('e');
      expect(add('g')).toBe(c + 1);
      const h = add('h');
      expect(history(h + 1)).toEqual(['h', 'g', 'c', 'b', 'a']);
    });
  });

  it('reads the messages placed after a read that asked from further on than the newest', async () => {
    await withMessages(({ add, history }) => {
      const a = add('a');
      expect(history(a)).toEqual([]);
      const b = add('b');
      // As a reply stopped while its files were read, and its question deleted, would ask.
      expect(history(b + 10)).toEqual(['b', 'a']);
      add('c');
      const d = add('d');
      expect(history(d + 1)).toEqual(['d', 'c', 'b', 'a']);
    });
  });

  it('reads from storage what is older than the text it may keep', async () => {
    const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.newUniqueId());
    await runInDurableObject(stub, async (_o, state) => {
      const store = new SessionStore(state.storage);
      const cache = new HistoryCache(state.storage.sql, 100);
      for (let i = 0; i < 60; i++) {
        const { message } = store.insertMessage({
          id: `msg_${i}`,
          role: i % 2 === 0 ? 'user' : 'assistant',
          content: `message number ${i}`,
          author: null,
          status: 'complete',
          replyId: null,
          inReplyTo: null,
          attachments: [],
        });
        const read = [...cache.before(message.seq)].map((m) => m.id);
        expect(read).toEqual(Array.from({ length: i }, (_, j) => `msg_${i - 1 - j}`));
      }
    });
  });
});

/**
 * Runs `check` on a fresh session's store, with `add` (stores a finished message, its id for its
 * text, and gives its position) and `history` (the ids a reply's history read gives).
 */
function withMessages(
  check: (s: {
    store: SessionStore;
    add: (id: string) => number;
    history: (before: number) => string[];
  }) => void,
) {
  return runInDurableObject(env.CHAT_SESSION.get(env.CHAT_SESSION.newUniqueId()), (_o, state) => {
    const store = new SessionStore(state.storage);
    const add = (id: string) =>
      store.insertMessage({
        id,
        role: 'user',
        content: id,
        author: null,
        status: 'complete',
        replyId: null,
        inReplyTo: null,
        attachments: [],
      }).message.seq;
    const history = (before: number) => [...store.historyBefore(before)].map((m) => m.id);
    check({ store, add, history });
  });
}

/** A repeatable sequence of numbers in [0, 1) (mulberry32). */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
