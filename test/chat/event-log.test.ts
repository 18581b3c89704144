import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../durable-objects/chat-session/event-log';
import { Fanout } from '../../durable-objects/chat-session/fanout';
import { SessionStore } from '../../durable-objects/chat-session/store';

const freshSession = () => env.CHAT_SESSION.get(env.CHAT_SESSION.newUniqueId());

/** A store on the object's storage with its log, or with a log of a small capacity beside it. */
function logOf(storage: DurableObjectStorage, capacity?: number) {
  const store = new SessionStore(storage);
  if (capacity === undefined) return { store, log: store.log };
  const meta = {
    get: (k: string) => store.meta(k),
    set: (k: string, v: SqlStorageValue) => store.setMeta(k, v),
  };
  return { store, log: new EventLog(storage, meta, capacity) };
}

function reply(store: SessionStore, id: string) {
  store.insertMessage({
    id,
    role: 'assistant',
    content: '',
    author: null,
    status: 'streaming',
    replyId: null,
    inReplyTo: null,
    attachments: [],
  });
}

const framesOf = (log: EventLog, replyId: string, words: string[]) =>
  words.map((w) => log.frame(replyId, { content: w }).seq);

describe('the chat session event log', () => {
  it('sends frames before writing them, and any read of the session writes them first, in order', async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const { store, log } = logOf(state.storage);
      reply(store, 'msg_a');
      const seqs = framesOf(log, 'msg_a', ['one', ' two', ' three']);
      expect(seqs).toEqual([1, 2, 3]);
      expect(state.storage.sql.exec('SELECT count(*) AS n FROM events').one().n).toBe(0);
      expect(store.message('msg_a')!.content).toBe('one two three');
      expect(log.after(0).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    });
  });

  it('never hands out a number again that was sent but not written before a restart', async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const first = logOf(state.storage);
      reply(first.store, 'msg_a');
      framesOf(first.log, 'msg_a', ['a', 'b', 'c']);
      first.log.discard();
      const { log } = logOf(state.storage);
      const [next] = framesOf(log, 'msg_a', ['d']);
      expect(next).toBeGreaterThan(3);
    });
  });

  it('drops positions past its capacity but keeps the messages, and says what a cursor missed', async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const { store, log } = logOf(state.storage, 10);
      reply(store, 'msg_old');
      const words = Array.from({ length: 30 }, (_, i) => `w${i} `);
      framesOf(log, 'msg_old', words);
      log.flush();
      reply(store, 'msg_new');
      framesOf(log, 'msg_new', ['fresh']);
      log.flush();

      const all = log.after(0);
      const oldest = all.events[0]!.seq;
      expect(all.gap).toEqual({ dropped: oldest - 1, oldest_seq: oldest });
      expect(log.after(oldest - 1).gap).toBeNull();
      expect(store.message('msg_old')!.content).toBe(words.join(''));
      // A reply's own stream reports a gap only if that reply lost frames.
      expect(log.replyAfter('msg_old', 0).gap).toMatchObject({ oldest_seq: oldest });
      expect(log.replyAfter('msg_new', 0)).toMatchObject({
        gap: null,
        events: [{ frame: { content: 'fresh' } }],
      });
    });
  });

  it('a stream resumed from a trimmed position says so: a gap event, or an error chunk in the UI protocol', async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const fanout = new Fanout(state);
      const replay = { after: 2, events: [], gap: { dropped: 8, oldest_seq: 11 } };
      const sse = await fanout.openSse('msg_a', replay, false, true).text();
      expect(sse).toContain('event: gap\ndata: {"after":2,"dropped":8,"oldest_seq":11}');
      const ui = await fanout.openSse('msg_a', replay, true, true).text();
      expect(ui).toMatch(/data: \{"type":"error","errorText":"8 position\(s\) after 2 are no longer held/);
    });
  });
});
