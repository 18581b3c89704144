import * as cloudflareTest from 'cloudflare:test';
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  expectProblem,
  newAgent,
  newUser,
  openSocket,
  openSse,
  orgPath,
  publish,
  readEvents,
  type TestUser,
} from '../support';

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser('Hub Owner');
});

const hubStub = (agentId: string) => env.AGENT_HUB.get(env.AGENT_HUB.idFromName(agentId));
const streamPath = (agentId: string, query = '') => orgPath(owner.orgId, `/agents/${agentId}/stream${query}`);

/**
 * Hibernation that keeps the sockets open needs `evictDurableObject`, which the Workers vitest
 * integration has only on workerd 1.20260630 and later, and those releases require Node 22 (see
 * the README's "Toolchain"). These tests run wherever the integration provides it.
 */
const { evictDurableObject } = cloudflareTest as {
  evictDurableObject?: (stub: DurableObjectStub) => Promise<void>;
};

describe('agent hub: the ring buffer', () => {
  it('numbers events 1, 2, 3… strictly increasing with no gaps, starting with agent.created', async () => {
    const agent = await newAgent(owner);
    const stored = await publish(owner, agent.id, 30);
    const page = await readEvents(owner, agent.id, '?limit=200');
    const seqs = page.data.map((e: any) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(page.data[0].type).toBe('agent.created');
    expect(stored.map((e) => e.seq)).toEqual(seqs.slice(1));
    expect(page).toMatchObject({ next_cursor: 31, has_more: false, latest_seq: 31, gap: null });
  });

  it('keeps exactly the last 200 events', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 250);
    const count = await runInDurableObject(hubStub(agent.id), (_hub, state) =>
      state.storage.sql
        .exec<{ n: number; lo: number; hi: number }>(
          'SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM events',
        )
        .one(),
    );
    expect(count).toEqual({ n: 200, lo: 52, hi: 251 });
    const page = await readEvents(owner, agent.id, '?after=51&limit=200');
    expect(page.data.map((e: any) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 52));
    expect(page.gap).toBeNull();
  });

  it('says explicitly how many events a stale cursor missed and where the buffer starts', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 250);
    const page = await readEvents(owner, agent.id, '?after=10&limit=5');
    expect(page.gap).toEqual({ dropped: 41, oldest_seq: 52 });
    expect(page.data.map((e: any) => e.seq)).toEqual([52, 53, 54, 55, 56]);
    expect(page).toMatchObject({ next_cursor: 56, has_more: true, latest_seq: 251 });
  });

  it('pages with next_cursor until caught up, then returns nothing more', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 9);
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await readEvents(owner, agent.id, `?after=${after}&limit=4`);
      seen.push(...page.data.map((e: any) => e.seq));
      after = page.next_cursor;
      if (!page.has_more) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await readEvents(owner, agent.id, `?after=${after}`)).data).toEqual([]);
  });

  it('filters a cursor read by channel', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 2, 'agent.output');
    await publish(owner, agent.id, 1, 'agent.thinking');
    const page = await readEvents(owner, agent.id, '?channels=agent.thinking,agent.created');
    expect(page.data.map((e: any) => e.type)).toEqual(['agent.created', 'agent.thinking']);
  });

  it('refuses a cursor beyond the latest sequence number with 422', async () => {
    const agent = await newAgent(owner);
    expectProblem(
      await call(orgPath(owner.orgId, `/agents/${agent.id}/events?after=99`), { token: owner.token }),
      422,
    );
  });

  it('keeps its events and goes on numbering after the object is evicted', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 5);
    const before = await readEvents(owner, agent.id);
    // Throws away every object's memory; the next request builds the hub anew from its storage.
    await abortAllDurableObjects();
    const after = await readEvents(owner, agent.id);
    expect(after.data).toEqual(before.data);
    const [next] = await publish(owner, agent.id, 1);
    expect(next.seq).toBe(7);
  });

  it('never reuses a sequence number once the buffer has wrapped and the object restarted', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 210);
    await abortAllDurableObjects();
    const [next] = await publish(owner, agent.id, 1);
    expect(next.seq).toBe(212);
  });
});

describe('agent hub: live WebSocket subscribers', () => {
  it('delivers events in order, with the same sequence numbers the buffer holds', async () => {
    const agent = await newAgent(owner);
    const ws = await openSocket(streamPath(agent.id), owner.token);
    expect(await ws.next()).toMatchObject({ op: 'ready', channels: ['*'], latest_seq: 1 });
    await publish(owner, agent.id, 3);
    expect((await ws.events(3)).map((e) => e.seq)).toEqual([2, 3, 4]);
    ws.close();
  });

  it('delivers to a subscriber only the channels it subscribed to', async () => {
    const agent = await newAgent(owner);
    const ws = await openSocket(streamPath(agent.id, '?channels=agent.message'), owner.token);
    await ws.next();
    await publish(owner, agent.id, 2, 'agent.output');
    await call(orgPath(owner.orgId, `/agents/${agent.id}/messages`), {
      token: owner.token,
      body: { content: 'hi' },
    });
    const [event] = await ws.events(1);
    expect(event).toMatchObject({ type: 'agent.message', seq: 4, payload: { content: 'hi' } });

    ws.send({ op: 'subscribe', channels: ['agent.thinking'] });
    expect(await ws.next()).toEqual({ op: 'subscribed', channels: ['agent.message', 'agent.thinking'] });
    ws.send({ op: 'unsubscribe', channels: ['agent.message'] });
    expect(await ws.next()).toEqual({ op: 'subscribed', channels: ['agent.thinking'] });
    await call(orgPath(owner.orgId, `/agents/${agent.id}/messages`), {
      token: owner.token,
      body: { content: 'no' },
    });
    await publish(owner, agent.id, 1, 'agent.thinking');
    expect((await ws.events(1))[0]).toMatchObject({ type: 'agent.thinking', seq: 6 });
    ws.close();
  });

  it.runIf(evictDurableObject)(
    'keeps subscriptions across hibernation, and hibernated sockets still receive',
    async () => {
      const agent = await newAgent(owner);
      const ws = await openSocket(streamPath(agent.id, '?channels=agent.thinking'), owner.token);
      await ws.next();
      ws.send({ op: 'subscribe', channels: ['agent.error'] });
      await ws.next();
      await evictDurableObject!(hubStub(agent.id));
      await publish(owner, agent.id, 1, 'agent.output');
      await publish(owner, agent.id, 1, 'agent.error');
      await publish(owner, agent.id, 1, 'agent.thinking');
      expect((await ws.events(2)).map((e) => [e.seq, e.type])).toEqual([
        [3, 'agent.error'],
        [4, 'agent.thinking'],
      ]);
      ws.close();
    },
  );

  it.runIf(evictDurableObject)('answers ping with pong, also while the object is evicted', async () => {
    const agent = await newAgent(owner);
    const ws = await openSocket(streamPath(agent.id), owner.token);
    await ws.next();
    await evictDurableObject!(hubStub(agent.id));
    ws.send('ping');
    expect(await ws.next()).toBe('pong');
    ws.close();
  });

  it('resumes from a sequence number given on connect, replaying what was missed first', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 4);
    const ws = await openSocket(streamPath(agent.id, '?after=3'), owner.token);
    expect(await ws.next()).toMatchObject({ op: 'ready', latest_seq: 5 });
    expect(await ws.next()).toEqual({ op: 'resumed', after: 3, replayed: 2, gap: null, latest_seq: 5 });
    expect((await ws.events(2)).map((e) => e.seq)).toEqual([4, 5]);
    await publish(owner, agent.id, 1);
    expect((await ws.events(1))[0].seq).toBe(6);
    ws.close();
  });

  it('resumes by a resume frame, and reports a gap when the position was dropped', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 205);
    const ws = await openSocket(streamPath(agent.id, '?channels=agent.created,agent.output'), owner.token);
    await ws.next();
    ws.send({ op: 'resume', after: 200 });
    expect(await ws.next()).toMatchObject({ op: 'resumed', replayed: 6, gap: null, latest_seq: 206 });
    expect((await ws.events(6)).map((e) => e.seq)).toEqual([201, 202, 203, 204, 205, 206]);
    ws.send({ op: 'resume', after: 2 });
    expect(await ws.next()).toMatchObject({
      op: 'resumed',
      replayed: 200,
      gap: { dropped: 4, oldest_seq: 7 },
    });
    ws.close();
  });

  it('answers malformed frames with an error frame and keeps the socket open', async () => {
    const agent = await newAgent(owner);
    const ws = await openSocket(streamPath(agent.id), owner.token);
    await ws.next();
    ws.send('not json');
    expect(await ws.next()).toMatchObject({ op: 'error' });
    ws.send({ op: 'subscribe', channels: ['Bad Channel'] });
    expect(await ws.next()).toMatchObject({ op: 'error' });
    ws.send({ op: 'resume', after: 999 });
    expect(await ws.next()).toMatchObject({ op: 'error', detail: expect.stringContaining('beyond') });
    await publish(owner, agent.id, 1);
    expect((await ws.events(1))[0].seq).toBe(2);
    ws.close();
  });

  it('closes subscribers when the agent is deleted', async () => {
    const agent = await newAgent(owner);
    const ws = await openSocket(streamPath(agent.id), owner.token);
    await ws.next();
    expect(
      (await call(orgPath(owner.orgId, `/agents/${agent.id}`), { method: 'DELETE', token: owner.token }))
        .status,
    ).toBe(204);
    expect((await ws.events(1))[0]).toMatchObject({ type: 'agent.deleted' });
    await ws.whenClosed();
    expect(ws.closed).toMatchObject({ code: 1000 });
  });
});

describe('agent hub: Server-Sent Events', () => {
  it('streams events with id: and event: fields', async () => {
    const agent = await newAgent(owner);
    const sse = await openSse(streamPath(agent.id), owner.token);
    expect(await sse.next()).toMatchObject({ event: 'ready', data: { latest_seq: 1 } });
    await publish(owner, agent.id, 2);
    const a = await sse.next();
    const b = await sse.next();
    expect([a.id, a.event, a.data.seq]).toEqual(['2', 'agent.output', 2]);
    expect([b.id, b.event, b.data.seq]).toEqual(['3', 'agent.output', 3]);
    await sse.close();
  });

  it('resumes from Last-Event-ID, replaying the missed events before live ones', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 5);
    const sse = await openSse(streamPath(agent.id, '?after=1'), owner.token, { 'Last-Event-ID': '4' });
    await sse.next();
    expect([(await sse.next()).id, (await sse.next()).id]).toEqual(['5', '6']);
    await publish(owner, agent.id, 1);
    expect((await sse.next()).id).toBe('7');
    await sse.close();
  });

  it('sends a gap frame before replaying when Last-Event-ID has fallen out of the buffer', async () => {
    const agent = await newAgent(owner);
    await publish(owner, agent.id, 201);
    const sse = await openSse(streamPath(agent.id, '?channels=agent.output'), owner.token, {
      'Last-Event-ID': '1',
    });
    await sse.next();
    expect(await sse.next()).toEqual({ event: 'gap', data: { after: 1, dropped: 1, oldest_seq: 3 } });
    expect((await sse.next()).id).toBe('3');
    await sse.close();
  });

  it('refuses a Last-Event-ID that is not a sequence number with 422', async () => {
    const agent = await newAgent(owner);
    const res = await call(streamPath(agent.id), { token: owner.token, headers: { 'Last-Event-ID': 'abc' } });
    expectProblem(res, 422);
  });
});
