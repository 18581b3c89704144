import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addMember,
  call,
  newAgent,
  newApiKey,
  newChatSession,
  newUser,
  orgPath,
  sendChat,
  unique,
} from '../support';

/** The counts a response's `Server-Timing` header reports. */
function costOf(res: { headers: Headers }) {
  const header = res.headers.get('Server-Timing') ?? '';
  const metric = (name: string) => {
    const m = new RegExp(`(?:^|, )${name}(?:;desc="(\\d+) [a-z ]+")?;dur=([\\d.]+)`).exec(header);
    expect(m, `${name} in "${header}"`).not.toBeNull();
    return { count: Number(m![1] ?? 0), dur: Number(m![2]) };
  };
  return { total: metric('total').dur, d1: metric('d1').count, do: metric('do').count };
}

/**
 * Freezes `Date` (only `Date`) so that credentials and memberships cached by one request are still
 * trusted by the next; moving it on by more than a second makes every cache miss.
 */
function clock() {
  let now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  return {
    expireCaches() {
      now += 1_500;
      vi.setSystemTime(now);
    },
  };
}

describe('Server-Timing', () => {
  afterEach(() => vi.useRealTimers());

  it('reports total time, D1 round trips and Durable Object calls on every response', async () => {
    const res = await call('/health');
    expect(res.headers.get('Server-Timing')).toMatch(
      /^total;dur=[\d.]+, d1;desc="0 round trips";dur=[\d.]+, do;desc="0 calls";dur=[\d.]+$/,
    );
    expect(costOf(res)).toMatchObject({ d1: 0, do: 0 });
    expect(res.headers.get('Timing-Allow-Origin')).toBe('*');
    const ready = await call('/ready');
    expect(ready.headers.get('Server-Timing')).toContain('d1;desc="1 round trip"');
  });

  it('lets browsers on other origins read it', async () => {
    const res = await call('/api/v1/events/catalog', { headers: { Origin: 'https://app.example' } });
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('Server-Timing');
  });

  it('counts per request: concurrent requests do not see each other’s round trips', async () => {
    const u = await newUser();
    const [a, b, c] = await Promise.all([
      call('/health'),
      call(orgPath(u.orgId, '/teams'), { token: u.token }),
      call('/health'),
    ]);
    expect(b.status).toBe(200);
    expect(costOf(a).d1).toBe(0);
    expect(costOf(c).d1).toBe(0);
    expect(costOf(b).d1).toBeGreaterThanOrEqual(1);
  });

  it('an authenticated read with a JWT makes at most 2 round trips, 1 while its membership is cached', async () => {
    const u = await newUser();
    const t = clock();
    t.expireCaches();
    const cold = await call(orgPath(u.orgId, '/teams'), { token: u.token });
    expect(cold.status, cold.text).toBe(200);
    expect(costOf(cold).d1).toBeLessThanOrEqual(2);
    for (const path of ['teams', 'members', 'activity', 'agents', 'api-keys']) {
      const warm = await call(orgPath(u.orgId, `/${path}`), { token: u.token });
      expect(warm.status, warm.text).toBe(200);
      expect(costOf(warm), path).toMatchObject({ d1: 1, do: 0 });
    }
  });

  it('sending a chat message reads the session and all the prompt needs in one round trip', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    clock();
    // A rule and a memory entry the message matches come from that one batch.
    await call(orgPath(u.orgId, '/rules'), { method: 'POST', token: u.token, body: { rule: 'Be brief' } });
    await call(orgPath(u.orgId, '/memory'), {
      method: 'POST',
      token: u.token,
      body: { content: 'The deploy window is Tuesday', kind: 'fact' },
    });
    const first = await sendChat(u, s.id, { content: 'when is the deploy window' });
    await first.frames.rest();
    // The batch, and the organization's model routing read beside it (membership is cached); the
    // session's `last_message_at` is written after the response. One object call: the send,
    // answered with the sender's stream.
    expect(costOf(first.res)).toMatchObject({ d1: 2, do: 1 });
    // The routing is then cached for a second, as the gateway's other setup is.
    const next = await sendChat(u, s.id, { content: 'and the one after?' });
    await next.frames.rest();
    expect(costOf(next.res)).toMatchObject({ d1: 1, do: 1 });
  });

  it('an API-key read makes at most 2 round trips, 1 while the key is cached', async () => {
    const u = await newUser();
    const { key } = await newApiKey(u, u.orgId, ['activity:read']);
    const t = clock();
    t.expireCaches();
    const cold = await call(orgPath(u.orgId, '/activity'), { token: key });
    expect(cold.status, cold.text).toBe(200);
    expect(costOf(cold).d1).toBeLessThanOrEqual(2);
    const warm = await call(orgPath(u.orgId, '/activity'), { token: key });
    expect(costOf(warm)).toMatchObject({ d1: 1, do: 0 });
  });

  it('a create is one batch, plus the idempotency record (claim and result) when a key is sent', async () => {
    const u = await newUser();
    clock();
    const keys = orgPath(u.orgId, '/api-keys');
    await call(keys, { token: u.token });
    const body = () => ({ name: unique('key'), scopes: ['org:read'] });
    const plain = await call(keys, { token: u.token, body: body() });
    expect(plain.status, plain.text).toBe(201);
    expect(costOf(plain).d1).toBe(1);
    const headers = { 'Idempotency-Key': unique('k') };
    const keyed = await call(keys, { token: u.token, body: body(), headers });
    expect(keyed.status, keyed.text).toBe(201);
    expect(costOf(keyed).d1).toBe(3);
  });

  it('publishing to an agent hub that knows its agent is one Durable Object call and no D1', async () => {
    const u = await newUser();
    const agent = await newAgent(u);
    clock();
    const path = orgPath(u.orgId, `/agents/${agent.id}/events`);
    await call(path, { token: u.token });
    const res = await call(path, { token: u.token, body: { type: 'agent.output', payload: { n: 1 } } });
    expect(res.status, res.text).toBe(201);
    expect(costOf(res)).toMatchObject({ d1: 0, do: 1 });
  });

  it('a role change or removal applies at once although memberships are cached', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'admin');
    clock();
    const teams = orgPath(owner.orgId, '/teams');
    expect((await call(teams, { token: member.token, body: { name: unique('t') } })).status).toBe(201);
    const demote = await call(orgPath(owner.orgId, `/members/${member.id}`), {
      method: 'PATCH',
      token: owner.token,
      body: { role: 'viewer' },
    });
    expect(demote.status, demote.text).toBe(200);
    expect((await call(teams, { token: member.token, body: { name: unique('t') } })).status).toBe(403);
    const removed = await call(orgPath(owner.orgId, `/members/${member.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(removed.status, removed.text).toBe(204);
    expect((await call(teams, { token: member.token })).status).toBe(404);
  });
});
