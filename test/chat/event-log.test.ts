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

/** The credential a stream in these tests is opened with. */
const owner = {
  credential: 'session',
  credentialId: 'ses_reader',
  userId: 'usr_reader',
  orgId: 'org_reader',
  endsAt: null,
  checkedAt: 0,
} as const;

const framesOf = (log: EventLog, replyId: string, words: string[]) =>
  words.map((w) => log.frame(replyId, { content: w }).seq);

describe('the chat session event log', () => {
  it('sends frames before writing them, and any read of the messages writes them first, in order', async () => {
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

  it('replays frames not yet written without writing them, after the stored ones, as they were sent', async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const { store, log } = logOf(state.storage);
      const stored = () => state.storage.sql.exec('SELECT count(*) AS n FROM events').one().n;
      reply(store, 'msg_a');
      framesOf(log, 'msg_a', ['one']);
      log.flush();
      reply(store, 'msg_b');
      const sent = ['two', 'three'].map((w) => log.frame('msg_b', { content: w }));
      expect(stored()).toBe(1);

      expect(log.after(0).events.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(log.after(1).events).toEqual(sent);
      expect(log.replyAfter('msg_b', 0).events).toEqual(sent);
      expect(log.replyAfter('msg_b', sent[0]!.seq).events).toEqual([sent[1]]);
      expect(log.replyAfter('msg_a', 0).events).toMatchObject([{ frame: { content: 'one' } }]);
      // A reply's stream opens on its status alone: still nothing written.
      expect(store.replyStatus('msg_b')).toBe('streaming');
      expect(store.replyStatus('msg_none')).toBeNull();
      expect(stored()).toBe(1);

      // Written, they replay the same.
      log.flush();
      expect(stored()).toBe(3);
      expect(log.replyAfter('msg_b', 0).events).toEqual(sent);
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
      const sse = await fanout.openSse('msg_a', replay, false, true, owner).text();
      expect(sse).toContain('event: gap\ndata: {"after":2,"dropped":8,"oldest_seq":11}');
      const ui = await fanout.openSse('msg_a', replay, true, true, owner).text();
      expect(ui).toMatch(/data: \{"type":"error","errorText":"8 position\(s\) after 2 are no longer held/);
    });
  });
});

describe('the chat session fan-out', () => {
  it("writes a reply's stream in the turn and participants' sockets after it, in order with presence", async () => {
    await runInDurableObject(freshSession(), async (_o, state) => {
      const fanout = new Fanout(state);
      const { store, log } = logOf(state.storage);
      const socket = fanout.accept({ actorId: owner.userId, owner }, { op: 'ready' }, null).webSocket!;
      const got: { op: string; event?: { seq: number }; state?: string }[] = [];
      const received = new Promise<void>((resolve) =>
        socket.addEventListener('message', (m) => {
          got.push(JSON.parse(m.data as string));
          if (got.length === 4) resolve();
        }),
      );
      socket.accept();
      reply(store, 'msg_a');
      const sse = fanout.openSse('msg_a', null, false, false, owner);

      const first = log.frame('msg_a', { content: 'one' });
      fanout.deliver(first);
      // Written to the reply's stream at once; the sockets' copy waits for the end of the turn,
      // or, as here, for anything else written to the sockets, which then comes after it.
      fanout.presence({ user_id: 'usr_q', state: 'typing' });
      const second = log.frame('msg_a', { done: true });
      fanout.deliver(second);

      await received;
      expect(got.map((f) => f.op)).toEqual(['ready', 'event', 'presence', 'event']);
      expect(got[1]!.event!.seq).toBe(first.seq);
      expect(got[2]!.state).toBe('typing');
      expect(got[3]!.event!.seq).toBe(second.seq);
      const text = await sse.text();
      expect(text).toContain(`id: ${first.seq}\ndata: {"content":"one"}`);
      expect(text).toContain(`id: ${second.seq}\ndata: {"done":true}`);
    });
  });
});
