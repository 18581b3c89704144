import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  openSocket,
  openSse,
  orgPath,
  publish,
  type TestUser,
} from '../support';

let owner: TestUser;
let outsider: TestUser;
beforeAll(async () => {
  [owner, outsider] = await Promise.all([newUser('Stream Owner'), newUser('Outsider')]);
});

describe('organization stream', () => {
  it("carries every agent's events, each with its agent's own sequence number", async () => {
    const org = await newUser('Fresh Org');
    const ws = await openSocket(orgPath(org.orgId, '/agent-stream?channels=agent.output'), org.token);
    await ws.next();
    const a = await newAgent(org);
    const b = await newAgent(org);
    await publish(org, a.id, 2);
    await publish(org, b.id, 1);
    const events = await ws.events(3);
    expect(events.map((e) => [e.agent_id, e.agent_seq])).toEqual([
      [a.id, 2],
      [a.id, 3],
      [b.id, 2],
    ]);
    // The organization stream numbers its own events: two agent.created, then these.
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
    ws.close();
  });

  it('filters by agent', async () => {
    const org = await newUser('Filter Org');
    const a = await newAgent(org);
    const b = await newAgent(org);
    const ws = await openSocket(orgPath(org.orgId, `/agent-stream?agents=${b.id}`), org.token);
    await ws.next();
    await publish(org, a.id, 3);
    await publish(org, b.id, 1, 'agent.thinking');
    expect((await ws.events(1))[0]).toMatchObject({ agent_id: b.id, type: 'agent.thinking' });
    ws.close();
  });

  it('is readable by cursor and over SSE, resuming by Last-Event-ID', async () => {
    const org = await newUser('Cursor Org');
    const a = await newAgent(org);
    await publish(org, a.id, 3);
    const sse = await openSse(orgPath(org.orgId, '/agent-stream'), org.token, { 'Last-Event-ID': '2' });
    await sse.next();
    // Relays are asynchronous, so the stream may be replayed or live; either way, in order.
    const ids = [(await sse.next()).id, (await sse.next()).id];
    expect(ids).toEqual(['3', '4']);
    await sse.close();
    const res = await call(orgPath(org.orgId, `/agent-events?after=1&agents=${a.id}`), { token: org.token });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((e: any) => e.agent_seq)).toEqual([2, 3, 4]);
  });

  it('does not make other agents wait for a busy one: each hub relays in batches, in order', async () => {
    const org = await newUser('Busy Org');
    const busy = await newAgent(org);
    const quiet = await newAgent(org);
    const ws = await openSocket(
      orgPath(org.orgId, '/agent-stream?channels=agent.output,agent.message'),
      org.token,
    );
    await ws.next();
    const flood = Promise.all(Array.from({ length: 5 }, () => publish(org, busy.id, 100)));
    const msg = await call(orgPath(org.orgId, `/agents/${quiet.id}/messages`), {
      token: org.token,
      body: { content: 'urgent' },
    });
    expect(msg.status).toBe(201);
    await flood;
    const events = await ws.events(501);
    const busySeqs = events.filter((e) => e.agent_id === busy.id).map((e) => e.agent_seq);
    expect(busySeqs).toEqual(Array.from({ length: 500 }, (_, i) => i + 2));
    expect(events.filter((e) => e.agent_id === quiet.id)).toHaveLength(1);
    ws.close();
  });

  it('relays each event once even when a relay batch is delivered twice', async () => {
    const org = await newUser('Dedupe Org');
    const a = await newAgent(org);
    const [event] = await publish(org, a.id, 1);
    const stream = env.ORG_STREAM.get(env.ORG_STREAM.idFromName(org.orgId));
    const relayed = async () =>
      (await call(orgPath(org.orgId, `/agent-events?agents=${a.id}`), { token: org.token })).json.data.map(
        (e: any) => e.agent_seq,
      );
    // The hub relays the event on its own, in the background: the delivery below is the second.
    let seqs: number[] = await relayed();
    for (let reads = 0; reads < 50 && !seqs.includes(event.agent_seq); reads++) seqs = await relayed();
    expect(seqs).toContain(event.agent_seq);
    expect(await stream.ingest(a.id, [event])).toBe(0);
    expect(await relayed()).toEqual(seqs);
  });

  it('retries a failed relay from an alarm, without losing events', async () => {
    const org = await newUser('Retry Org');
    const a = await newAgent(org);
    const hub = env.AGENT_HUB.get(env.AGENT_HUB.idFromName(a.id));
    // Rewind the relay position as if the last relays had failed; the alarm catches up.
    await runInDurableObject(hub, async (_h, state) => {
      state.storage.sql.exec("UPDATE meta SET value = 0 WHERE key = 'forwarded_seq'");
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    const res = await call(orgPath(org.orgId, `/agent-events?agents=${a.id}`), { token: org.token });
    expect(res.json.data.map((e: any) => e.agent_seq)).toEqual([1]);
  });
});

describe('stream tickets (for browsers)', () => {
  it('opens an agent stream over WebSocket with a ticket instead of Authorization', async () => {
    const agent = await newAgent(owner);
    const t = await call(orgPath(owner.orgId, '/stream-tickets'), {
      token: owner.token,
      body: { agent_id: agent.id },
    });
    expect(t.status, t.text).toBe(201);
    expect(t.json.url).toBe(`/api/v1/stream?ticket=${encodeURIComponent(t.json.ticket)}`);
    const ws = await openSocket(`${t.json.url}&channels=agent.message`);
    expect(await ws.next()).toMatchObject({ op: 'ready', channels: ['agent.message'] });
    await call(orgPath(owner.orgId, `/agents/${agent.id}/messages`), {
      token: owner.token,
      body: { content: 'yo' },
    });
    expect((await ws.events(1))[0]).toMatchObject({ type: 'agent.message', agent_id: agent.id });
    ws.close();
  });

  it('opens the organization stream over SSE with a ticket', async () => {
    const t = await call(orgPath(owner.orgId, '/stream-tickets'), { token: owner.token, body: {} });
    expect(t.status, t.text).toBe(201);
    const sse = await openSse(t.json.url);
    expect((await sse.next()).event).toBe('ready');
    await sse.close();
  });

  it('refuses a missing, forged or access-token ticket with 401', async () => {
    expectProblem(await call('/api/v1/stream'), 422);
    expectProblem(await call('/api/v1/stream?ticket=nope'), 401);
    expectProblem(await call(`/api/v1/stream?ticket=${owner.token}`), 401);
  });

  it('refuses a ticket once its session has ended', async () => {
    const user = await newUser('Leaver');
    const t = await call(orgPath(user.orgId, '/stream-tickets'), { token: user.token, body: {} });
    await call('/api/v1/auth/logout', { token: user.token, body: {} });
    expectProblem(await call(t.json.url), 401);
  });

  it('refuses a ticket once its holder has left the organization', async () => {
    const member = await newUser('Member');
    await addMember(owner, owner.orgId, member, 'viewer');
    const t = await call(orgPath(owner.orgId, '/stream-tickets'), { token: member.token, body: {} });
    expect(t.status).toBe(201);
    const del = await call(orgPath(owner.orgId, `/members/${member.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(del.status, del.text).toBe(204);
    expectProblem(await call(t.json.url), 404);
  });

  it('does not issue tickets to API keys, which can send Authorization', async () => {
    const { key } = await newApiKey(owner, owner.orgId, ['agents:read']);
    expectProblem(await call(orgPath(owner.orgId, '/stream-tickets'), { token: key, body: {} }), 403);
  });

  it("does not issue a ticket for another organization's agent", async () => {
    const theirs = await newAgent(outsider);
    expectProblem(
      await call(orgPath(owner.orgId, '/stream-tickets'), {
        token: owner.token,
        body: { agent_id: theirs.id },
      }),
      404,
    );
  });
});
