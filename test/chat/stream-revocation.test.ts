import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { replyStreamUrl, SEND_URL, type SendRequest } from '../../src/domain/chat/session-rpc';
import {
  CLOSE_ACCESS_ENDED,
  CLOSE_CREDENTIAL_ENDED,
  ownerHeader,
  type StreamOwner,
} from '../../src/domain/streams/owners';
import {
  addMember,
  call,
  chatPath,
  expectClosed,
  expectSseClosed,
  FrameReader,
  type Frames,
  newAgent,
  newApiKey,
  newChatSession,
  newUser,
  openSse,
  orgPath,
  readySocket,
  resumeReply,
  SseReader,
  sendChat,
  sessionEnded,
  sessionWithApprovals,
  signIn,
  type TestUser,
} from '../support';

const remember = '[[tool:memory_remember {"content":"The deploy day is Thursday","kind":"fact"}]]';
const streamPath = (u: TestUser, sessionId: string) => chatPath(u.orgId, `/${sessionId}/stream`);

/** A connection that was not closed stays open: it answers a ping. */
async function expectOpen(ws: Frames) {
  ws.send('ping');
  while ((await ws.next()) !== 'pong');
  expect(ws.closed).toBeNull();
  ws.close();
}

/** Reads a socket's events until a reply frame matches. */
async function untilFrame(ws: Frames, matches: (frame: Record<string, unknown>) => boolean) {
  for (;;) {
    const f = await ws.next();
    if (f.op === 'event' && f.event.type === 'frame' && matches(f.event.frame)) return f.event.frame;
  }
}

describe('chat streams end with the credential', () => {
  it("logout closes that session's socket, SSE and reply streams; the reply goes on and is stored", async () => {
    const owner = await newUser('Chatter');
    const other = await signIn(owner);
    const s = await sessionWithApprovals(owner, ['memory.remember']);
    const ws = await readySocket(streamPath(owner, s.id), owner.token);
    const sse = await openSse(streamPath(owner, s.id), owner.token);
    const kept = await readySocket(streamPath(owner, s.id), other.token);
    // The reply waits for an approval, so it is in flight when its sender logs out.
    const sent = await sendChat(owner, s.id, { content: `please ${remember}` });
    const reply = new SseReader(sent.res);
    const asked = await untilFrame(kept, (f) => 'approval_required' in f);

    const out = await call('/api/v1/auth/logout', { token: owner.token, body: {} });
    expect(out.status, out.text).toBe(204);

    const reason = sessionEnded('logged out');
    await expectClosed(ws, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(sse, CLOSE_CREDENTIAL_ENDED, reason);
    await expectSseClosed(reply, CLOSE_CREDENTIAL_ENDED, reason);

    const ok = await call(chatPath(owner.orgId, `/${s.id}/approvals/${asked.approval_id}`), {
      token: other.token,
      body: { decision: 'approve' },
    });
    expect(ok.status, ok.text).toBe(200);
    await untilFrame(kept, (f) => 'done' in f);
    const msgs = await call(chatPath(owner.orgId, `/${s.id}/messages`), { token: other.token });
    expect(msgs.json.data.find((m: { id: string }) => m.id === sent.replyId)).toMatchObject({
      status: 'complete',
      content: expect.stringMatching(/^Tool memory_remember returned: /),
    });
    await expectOpen(kept);
  });

  it("revoking an API key closes its chat streams and no other key's", async () => {
    const owner = await newUser('Chatter');
    const agent = await newAgent(owner);
    const scopes = ['chat:read', 'chat:write'];
    const revoked = await newApiKey(owner, owner.orgId, scopes);
    const other = await newApiKey(owner, owner.orgId, scopes);
    const asRevoked = { ...owner, token: revoked.key };
    const asOther = { ...owner, token: other.key };
    const s = await newChatSession(asRevoked, { agent_id: agent.id });
    const own = await newChatSession(asOther, { agent_id: agent.id });
    const ws = await readySocket(streamPath(owner, s.id), revoked.key);
    const sse = await openSse(streamPath(owner, s.id), revoked.key);
    const kept = await readySocket(streamPath(owner, own.id), other.key);

    const res = await call(orgPath(owner.orgId, `/api-keys/${revoked.record.id}/revoke`), {
      token: owner.token,
      body: {},
    });
    expect(res.status, res.text).toBeLessThan(300);

    await expectClosed(ws, CLOSE_CREDENTIAL_ENDED, 'api key revoked');
    await expectSseClosed(sse, CLOSE_CREDENTIAL_ENDED, 'api key revoked');
    await expectOpen(kept);
  });

  it('removing a member closes their chat streams with 4403; the owner’s stays open', async () => {
    const owner = await newUser('Chatter');
    const member = await newUser('Member');
    await addMember(owner, owner.orgId, member, 'member');
    const s = await newChatSession(owner);
    const shared = await call(chatPath(owner.orgId, `/${s.id}/share`), {
      token: owner.token,
      body: { user_id: member.id },
    });
    expect(shared.status, shared.text).toBe(200);
    const ws = await readySocket(streamPath(owner, s.id), member.token);
    const sse = await openSse(streamPath(owner, s.id), member.token);
    const kept = await readySocket(streamPath(owner, s.id), owner.token);

    const res = await call(`/api/v1/orgs/${owner.orgId}/members/${member.id}`, {
      method: 'DELETE',
      token: owner.token,
    });
    expect(res.status, res.text).toBe(204);

    await expectClosed(ws, CLOSE_ACCESS_ENDED, 'membership ended');
    await expectSseClosed(sse, CLOSE_ACCESS_ENDED, 'membership ended');
    await expectOpen(kept);
  });

  it("deleting an organization closes its chat streams, and none in the owner's other organizations", async () => {
    const owner = await newUser('Chatter');
    const team = await call('/api/v1/orgs', { token: owner.token, body: { name: 'Doomed' } });
    expect(team.status, team.text).toBe(201);
    const inTeam = { ...owner, orgId: team.json.id as string };
    const doomed = await newChatSession(inTeam);
    const ws = await readySocket(streamPath(inTeam, doomed.id), owner.token);
    const sse = await openSse(streamPath(inTeam, doomed.id), owner.token);
    const home = await newChatSession(owner);
    const kept = await readySocket(streamPath(owner, home.id), owner.token);

    const res = await call(`/api/v1/orgs/${inTeam.orgId}`, { method: 'DELETE', token: owner.token });
    expect(res.status, res.text).toBe(204);

    await expectClosed(ws, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectSseClosed(sse, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectOpen(kept);
  });
});

describe('the sender’s stream, checked while it opens', () => {
  const orgStub = (orgId: string) => env.ORG_STREAM.get(env.ORG_STREAM.idFromName(orgId));

  const stubOf = (sessionId: string) => env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(sessionId));
  const ownerAt = (u: TestUser, checkedAt: number): StreamOwner => ({
    credential: 'session',
    credentialId: 'ses_stale',
    userId: u.id,
    orgId: u.orgId,
    endsAt: null,
    checkedAt,
  });

  /** A send as the Worker makes it, with the stream's owner checked at `checkedAt`. */
  async function sendAs(u: TestUser, session: { id: string; agent_id: string }, checkedAt: number) {
    const replyId = `msg_r${checkedAt}`;
    const body: SendRequest = {
      ui: false,
      input: {
        messageId: `msg_m${checkedAt}`,
        replyId,
        content: 'hello there',
        author: { type: 'user', id: u.id },
        attachments: [],
        policy: 'enqueue',
        request: {
          orgId: u.orgId,
          sessionId: session.id,
          agentId: session.agent_id,
          actor: { type: 'user', id: u.id },
          model: null,
          system: 'You are terse.',
          historyTokens: 10_000,
          maxSteps: 4,
          approvalTtlMs: 60_000,
        },
      },
    };
    const res = await stubOf(session.id).fetch(SEND_URL, {
      method: 'POST',
      headers: ownerHeader(ownerAt(u, checkedAt)),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Reply-Id')).toBe(replyId);
    return { replyId, res };
  }

  it('closes when the credential was revoked before the check; the message is sent and the reply stored', async () => {
    const u = await newUser('Racer');
    const s = await newChatSession(u);
    const revokedAt = Date.now();
    const reason = sessionEnded('logged out');
    await orgStub(u.orgId).revoke(
      { target: { kind: 'session', sessionId: 'ses_stale' }, code: CLOSE_CREDENTIAL_ENDED, reason },
      revokedAt,
    );
    const stale = await sendAs(u, s, revokedAt - 1000);
    await expectSseClosed(new SseReader(stale.res), CLOSE_CREDENTIAL_ENDED, reason);
    // The reply ran to its end regardless, and anyone may read it.
    const again = await resumeReply(u, s.id, stale.replyId);
    expect((await again.rest()).at(-1)?.data).toEqual({ done: true });
    // Opened again with the stale credential, the finished reply's stream says why it closes too.
    const late = await stubOf(s.id).fetch(replyStreamUrl(stale.replyId, 0, false), {
      headers: ownerHeader(ownerAt(u, revokedAt - 1000)),
    });
    await expectSseClosed(new SseReader(late), CLOSE_CREDENTIAL_ENDED, reason);

    // The same session checked after the revocation (a member added back, say) streams to the end.
    const fresh = await sendAs(u, s, revokedAt + 1);
    expect((await new FrameReader(fresh.res).rest()).at(-1)?.data).toEqual({ done: true });
  });

  it('a registered session refuses by itself a credential that a revocation passed on to it names', async () => {
    const u = await newUser('Racer');
    const s = await newChatSession(u);
    // A participant's socket registers the session with the organization's stream.
    const ws = await readySocket(streamPath(u, s.id), u.token);
    const checkedAt = Date.now() + 2000;
    const reason = sessionEnded('logged out');
    // Passed on to the session alone: the organization's stream never hears of it, so only the
    // session's own record of what was passed on to it can refuse the stream.
    expect(
      await stubOf(s.id).revoke(
        { target: { kind: 'session', sessionId: 'ses_stale' }, code: CLOSE_CREDENTIAL_ENDED, reason },
        checkedAt + 1,
      ),
    ).toBe(1);
    const stale = await sendAs(u, s, checkedAt);
    await expectSseClosed(new SseReader(stale.res), CLOSE_CREDENTIAL_ENDED, reason);
    const fresh = await sendAs(u, s, checkedAt + 2);
    expect((await new FrameReader(fresh.res).rest()).at(-1)?.data).toEqual({ done: true });
    await expectOpen(ws);
  });
});
