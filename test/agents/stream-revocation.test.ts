import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { subscribeRequest } from '../../src/domain/agents/events';
import {
  CLOSE_ACCESS_ENDED,
  CLOSE_CREDENTIAL_ENDED,
  type StreamOwner,
} from '../../src/domain/streams/owners';
import { ALL_CHANNELS } from '../../src/domain/streams/protocol';
import {
  addMember,
  call,
  expectClosed,
  expectSseClosed,
  Frames,
  newAgent,
  newApiKey,
  newUser,
  orgPath,
  PASSWORD,
  publish,
  sessionEnded,
  signIn,
  readySocket as socket,
  readySse as sse,
  type TestUser,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

const hubStub = (agentId: string) => env.AGENT_HUB.get(env.AGENT_HUB.idFromName(agentId));
const orgStub = (orgId: string) => env.ORG_STREAM.get(env.ORG_STREAM.idFromName(orgId));
/** How many objects the organization's stream has registered as holding subscribers. */
const hubsOf = (orgId: string) =>
  runInDurableObject(orgStub(orgId), (_o, state) =>
    state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM hubs').one(),
  );

/** An organization with an agent, and the paths of the agent's stream and the organization's. */
async function scene(owner?: TestUser) {
  const o = owner ?? (await newUser('Stream Owner'));
  const agent = await newAgent(o);
  return {
    owner: o,
    agent,
    agentStream: orgPath(o.orgId, `/agents/${agent.id}/stream`),
    orgStream: orgPath(o.orgId, '/agent-stream'),
  };
}

/** A socket that was not revoked stays open and receives what is published next. */
async function expectLive(ws: Frames, publisher: TestUser, agentId: string, orgId = publisher.orgId) {
  expect(ws.closed).toBeNull();
  const [event] = await publish(publisher, agentId, 1, 'agent.output', orgId);
  for (;;) {
    const f = await ws.next();
    if (f.op === 'event' && f.event.agent_id === agentId && f.event.agent_seq === event.seq) break;
  }
  expect(ws.closed).toBeNull();
  ws.close();
}

describe('streams end with the session', () => {
  it("logout closes that session's sockets and SSE streams, on the agent's and the organization's stream", async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const otherSession = await signIn(owner);
    const colleague = await newUser('Colleague');
    await addMember(owner, owner.orgId, colleague, 'viewer');
    const agentWs = await socket(agentStream, owner.token);
    const orgWs = await socket(orgStream, owner.token);
    const agentSse = await sse(agentStream, owner.token);
    const orgSse = await sse(orgStream, owner.token);
    const keptSession = await socket(agentStream, otherSession.token);
    const keptColleague = await socket(orgStream, colleague.token);

    const out = await call('/api/v1/auth/logout', { token: owner.token, body: {} });
    expect(out.status, out.text).toBe(204);

    const reason = sessionEnded('logged out');
    await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, reason);
    await expectClosed(orgWs, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(agentSse, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(orgSse, CLOSE_CREDENTIAL_ENDED, reason);
    await expectLive(keptSession, otherSession, agent.id);
    await expectLive(keptColleague, otherSession, agent.id);
  });

  it('logout of every device closes every session’s streams, in every organization of the user', async () => {
    const { owner, agent, agentStream } = await scene();
    const second = await signIn(owner);
    const team = await call('/api/v1/orgs', { token: owner.token, body: { name: 'Team' } });
    expect(team.status, team.text).toBe(201);
    const teamOrg = team.json.id as string;
    const colleague = await newUser('Colleague');
    await addMember(owner, owner.orgId, colleague, 'member');
    const first = await socket(agentStream, owner.token);
    const inTeam = await socket(orgPath(teamOrg, '/agent-stream'), second.token);
    const inTeamSse = await sse(orgPath(teamOrg, '/agent-stream'), second.token);
    const kept = await socket(agentStream, colleague.token);

    const out = await call('/api/v1/auth/logout', { token: owner.token, body: { all: true } });
    expect(out.status, out.text).toBe(204);

    const reason = sessionEnded('logged out');
    await expectClosed(first, CLOSE_CREDENTIAL_ENDED, reason);
    await expectClosed(inTeam, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(inTeamSse, CLOSE_CREDENTIAL_ENDED, reason);
    await expectLive(kept, colleague, agent.id, owner.orgId);
  });

  it("a password change closes the other sessions' streams and keeps the caller's", async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const other = await signIn(owner);
    const othersAgent = await socket(agentStream, other.token);
    const othersOrg = await sse(orgStream, other.token);
    const mine = await socket(orgStream, owner.token);

    const res = await call('/api/v1/auth/password/change', {
      token: owner.token,
      body: { current_password: PASSWORD, new_password: 'battery-staple-77' },
    });
    expect(res.status, res.text).toBe(204);

    const reason = sessionEnded('password changed');
    await expectClosed(othersAgent, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(othersOrg, CLOSE_CREDENTIAL_ENDED, reason);
    await expectLive(mine, owner, agent.id);
  });

  it('reusing a refresh token closes the streams of the session it revokes', async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const other = await signIn(owner);
    const agentWs = await socket(agentStream, owner.token);
    const orgWs = await socket(orgStream, owner.token);
    const kept = await socket(agentStream, other.token);

    const first = await call('/api/v1/auth/refresh', { body: { refresh_token: owner.refreshToken } });
    expect(first.status, first.text).toBe(200);
    const reuse = await call('/api/v1/auth/refresh', { body: { refresh_token: owner.refreshToken } });
    expect(reuse.status, reuse.text).toBe(401);

    const reason = sessionEnded('refresh token reused');
    await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, reason);
    await expectClosed(orgWs, CLOSE_CREDENTIAL_ENDED, reason);
    await expectLive(kept, other, agent.id);
  });

  it('a stream opened with a browser ticket ends with the session the ticket was issued to', async () => {
    const { owner, agent } = await scene();
    const other = await signIn(owner);
    const ticket = async (token: string, agentId: string | null) => {
      const t = await call(orgPath(owner.orgId, '/stream-tickets'), { token, body: { agent_id: agentId } });
      expect(t.status, t.text).toBe(201);
      return t.json.url as string;
    };
    const viaTicket = await socket(await ticket(owner.token, agent.id));
    const viaTicketSse = await sse(await ticket(owner.token, null));
    const kept = await socket(await ticket(other.token, agent.id));

    expect((await call('/api/v1/auth/logout', { token: owner.token, body: {} })).status).toBe(204);

    await expectClosed(viaTicket, CLOSE_CREDENTIAL_ENDED, sessionEnded('logged out'));
    await expectSseClosed(viaTicketSse, CLOSE_CREDENTIAL_ENDED, sessionEnded('logged out'));
    await expectLive(kept, other, agent.id);
  });

  it('a session that runs out closes its streams when the object’s alarm runs', async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const runtime = await newApiKey(owner, owner.orgId, ['agents:read', 'agents:runtime']);
    const agentWs = await socket(agentStream, owner.token);
    const orgSse = await sse(orgStream, owner.token);
    const kept = await socket(agentStream, runtime.key);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31 * 24 * 3_600_000);
    expect(await runDurableObjectAlarm(hubStub(agent.id))).toBe(true);
    expect(await runDurableObjectAlarm(orgStub(owner.orgId))).toBe(true);

    await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, 'session expired');
    await expectSseClosed(orgSse, CLOSE_CREDENTIAL_ENDED, 'session expired');
    await expectLive(kept, { ...owner, token: runtime.key }, agent.id);
  });
});

describe('streams end with the API key', () => {
  const keyPath = (orgId: string, keyId: string, rest = '') => orgPath(orgId, `/api-keys/${keyId}${rest}`);
  const actions = [
    { what: 'revoking', reason: 'api key revoked', method: 'POST', rest: '/revoke', body: {} },
    { what: 'rolling', reason: 'api key rolled', method: 'POST', rest: '/roll', body: {} },
    { what: 'deleting', reason: 'api key deleted', method: 'DELETE', rest: '', body: undefined },
    {
      what: 'deactivating',
      reason: 'api key deactivated',
      method: 'PATCH',
      rest: '',
      body: { active: false },
    },
  ];

  for (const a of actions)
    it(`${a.what} the key closes its streams and no other key's`, async () => {
      const { owner, agent, agentStream, orgStream } = await scene();
      const ended = await newApiKey(owner, owner.orgId, ['agents:read']);
      const other = await newApiKey(owner, owner.orgId, ['agents:read']);
      const agentWs = await socket(agentStream, ended.key);
      const orgWs = await socket(orgStream, ended.key);
      const orgSse = await sse(orgStream, ended.key);
      const kept = await socket(orgStream, other.key);

      const res = await call(keyPath(owner.orgId, ended.record.id, a.rest), {
        method: a.method,
        token: owner.token,
        body: a.body,
      });
      expect(res.status, res.text).toBeLessThan(300);

      await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, a.reason);
      await expectClosed(orgWs, CLOSE_CREDENTIAL_ENDED, a.reason);
      await expectSseClosed(orgSse, CLOSE_CREDENTIAL_ENDED, a.reason);
      await expectLive(kept, owner, agent.id);
    });

  it('rotating the key ends the streams opened with its previous secret when the grace period does', async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const rotated = await newApiKey(owner, owner.orgId, ['agents:read']);
    const agentWs = await socket(agentStream, rotated.key);
    const orgWs = await socket(orgStream, rotated.key);
    const now = Date.now();
    const res = await call(keyPath(owner.orgId, rotated.record.id, '/rotate'), {
      token: owner.token,
      body: { grace_period_seconds: 60 },
    });
    expect(res.status, res.text).toBe(200);
    // The rotation reaches the streams after the response: wait until both have set their alarm.
    for (const stub of [hubStub(agent.id), orgStub(owner.orgId)])
      while ((await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())) === null);
    const withNewSecret = await socket(orgStream, res.json.key);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 61_000);
    expect(await runDurableObjectAlarm(hubStub(agent.id))).toBe(true);
    expect(await runDurableObjectAlarm(orgStub(owner.orgId))).toBe(true);

    await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectClosed(orgWs, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectLive(withNewSecret, owner, agent.id);
  });

  it('a key that expires closes its streams when the object’s alarm runs', async () => {
    const { owner, agent, agentStream, orgStream } = await scene();
    const now = Date.now();
    const created = await call(orgPath(owner.orgId, '/api-keys'), {
      token: owner.token,
      body: { name: 'short', scopes: ['agents:read'], expires_at: new Date(now + 5 * 60_000).toISOString() },
    });
    expect(created.status, created.text).toBe(201);
    const lasting = await newApiKey(owner, owner.orgId, ['agents:read']);
    const agentWs = await socket(agentStream, created.json.key);
    const orgWs = await socket(orgStream, created.json.key);
    const orgSse = await sse(orgStream, created.json.key);
    const kept = await socket(agentStream, lasting.key);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 6 * 60_000);
    expect(await runDurableObjectAlarm(hubStub(agent.id))).toBe(true);
    expect(await runDurableObjectAlarm(orgStub(owner.orgId))).toBe(true);

    await expectClosed(agentWs, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectClosed(orgWs, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectSseClosed(orgSse, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectLive(kept, owner, agent.id);
  });
});

describe('streams end with the membership', () => {
  for (const how of ['removed by an admin', 'leaving'] as const)
    it(`a member ${how} has their streams closed with 4403; the others stay`, async () => {
      const { owner, agent, agentStream, orgStream } = await scene();
      const member = await newUser('Member');
      await addMember(owner, owner.orgId, member, 'viewer');
      const t = await call(orgPath(owner.orgId, '/stream-tickets'), { token: member.token, body: {} });
      expect(t.status, t.text).toBe(201);
      const agentWs = await socket(agentStream, member.token);
      const orgSse = await sse(orgStream, member.token);
      const viaTicket = await socket(t.json.url);
      const kept = await socket(agentStream, owner.token);

      const res = await call(orgPath(owner.orgId, `/members/${member.id}`), {
        method: 'DELETE',
        token: how === 'leaving' ? member.token : owner.token,
      });
      expect(res.status, res.text).toBe(204);

      await expectClosed(agentWs, CLOSE_ACCESS_ENDED, 'membership ended');
      await expectSseClosed(orgSse, CLOSE_ACCESS_ENDED, 'membership ended');
      await expectClosed(viaTicket, CLOSE_ACCESS_ENDED, 'membership ended');
      await expectLive(kept, owner, agent.id);
    });

  it("deleting an organization closes every stream in it, and none in the owner's other organizations", async () => {
    const owner = await newUser('Deleter');
    const team = await call('/api/v1/orgs', { token: owner.token, body: { name: 'Doomed' } });
    expect(team.status, team.text).toBe(201);
    const teamOrg = team.json.id as string;
    const teamAgent = await newAgent(owner, {}, teamOrg);
    const key = await newApiKey(owner, teamOrg, ['agents:read']);
    const agentWs = await socket(orgPath(teamOrg, `/agents/${teamAgent.id}/stream`), owner.token);
    const orgSse = await sse(orgPath(teamOrg, '/agent-stream'), key.key);
    const home = await scene(owner);
    const kept = await socket(home.orgStream, owner.token);

    const res = await call(`/api/v1/orgs/${teamOrg}`, { method: 'DELETE', token: owner.token });
    expect(res.status, res.text).toBe(204);

    await expectClosed(agentWs, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectSseClosed(orgSse, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectLive(kept, owner, home.agent.id);
  });
});

describe('revocations that race a subscription', () => {
  const owner = (orgId: string, sessionId: string, checkedAt: number): StreamOwner => ({
    credential: 'session',
    credentialId: sessionId,
    userId: 'usr_racer',
    orgId,
    endsAt: null,
    checkedAt,
  });
  const subscribe = (o: StreamOwner) =>
    subscribeRequest({ websocket: true, owner: o, filter: { channels: ALL_CHANNELS, agents: null } });
  const accept = async (res: Response) => {
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    return new Frames(res.webSocket!);
  };

  it('refuses a subscription whose credential was checked before a revocation that reached the stream first', async () => {
    const { owner: user, agent } = await scene();
    const revokedAt = Date.now();
    await orgStub(user.orgId).revoke(
      {
        target: { kind: 'session', sessionId: 'ses_stale' },
        code: CLOSE_CREDENTIAL_ENDED,
        reason: 'session ended: logged out',
      },
      revokedAt,
    );
    for (const stub of [orgStub(user.orgId), hubStub(agent.id)]) {
      const late = await accept(
        await stub.fetch(subscribe(owner(user.orgId, 'ses_stale', revokedAt - 1000))),
      );
      expect((await late.next()).op).toBe('ready');
      await expectClosed(late, CLOSE_CREDENTIAL_ENDED, 'session ended: logged out');
      // The same session checked after the revocation (say, a member added back) is let in.
      const fresh = await accept(await stub.fetch(subscribe(owner(user.orgId, 'ses_stale', revokedAt + 1))));
      expect((await fresh.next()).op).toBe('ready');
      expect(fresh.closed).toBeNull();
      fresh.close();
    }
  });

  it('passes revocations only to hubs with subscribers, and forgets a hub a revocation finds empty', async () => {
    const { owner: user, agent, agentStream } = await scene();
    const ws = await socket(agentStream, user.token);
    expect(await hubsOf(user.orgId)).toEqual({ n: 1 });
    ws.close();
    await ws.whenClosed();
    const revocation = {
      target: { kind: 'session', sessionId: 'ses_unrelated' },
      code: CLOSE_CREDENTIAL_ENDED,
      reason: 'session ended: logged out',
    } as const;
    expect(await hubStub(agent.id).revoke(revocation, Date.now())).toBe(0);
    await orgStub(user.orgId).revoke(revocation, Date.now());
    expect(await hubsOf(user.orgId)).toEqual({ n: 0 });
  });

  it('registers again an object it has no row for, even one that believes it registered', async () => {
    const { owner: user, agent, agentStream } = await scene();
    const ws = await socket(agentStream, user.token);
    await runInDurableObject(orgStub(user.orgId), (_o, state) => {
      state.storage.sql.exec('DELETE FROM hubs');
    });
    const hubId = env.AGENT_HUB.idFromName(agent.id).toString();
    await orgStub(user.orgId).admitTo('agent_hub', hubId, owner(user.orgId, 'ses_any', Date.now()), false);
    expect(await hubsOf(user.orgId)).toEqual({ n: 1 });
    ws.close();
  });
});
