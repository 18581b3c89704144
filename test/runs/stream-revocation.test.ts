import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_ACCESS_ENDED, CLOSE_CREDENTIAL_ENDED } from '../../src/domain/streams/owners';
import {
  addMember,
  call,
  expectClosed,
  expectSseClosed,
  type Frames,
  fireAlarm,
  newApiKey,
  newUser,
  orgPath,
  readySocket,
  readySse,
  seedPipeline,
  sessionEnded,
  signIn,
  startRun,
  stepQueue,
  type TestUser,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

const oneStep = { steps: [{ key: 'a', kind: 'transform', config: { template: 'a' } }] };

/** A run waiting for its first step (held in the test's queue), and the path of its stream. */
async function runScene(owner: TestUser) {
  const queue = stepQueue();
  const { pipelineId } = await seedPipeline(owner, oneStep);
  const run = await startRun(owner, { pipeline_id: pipelineId });
  return { queue, run, stream: orgPath(owner.orgId, `/runs/${run.id}/stream`) };
}

/** A stream that was not closed stays open and receives the run's events up to its end. */
async function expectLive(ws: Frames, queue: ReturnType<typeof stepQueue>) {
  expect(ws.closed).toBeNull();
  await queue.drain();
  for (;;) {
    const f = await ws.next();
    if (f.op === 'event' && ['run.succeeded', 'run.failed'].includes(f.event.type)) break;
  }
  expect(ws.closed).toBeNull();
  ws.close();
}

describe('run streams end with the credential', () => {
  it("logout closes that session's WebSocket and SSE run streams; another session's stays open", async () => {
    const owner = await newUser('Run Watcher');
    const other = await signIn(owner);
    const { queue, stream } = await runScene(owner);
    const ws = await readySocket(stream, owner.token);
    const sse = await readySse(stream, owner.token);
    const kept = await readySocket(stream, other.token);

    const out = await call('/api/v1/auth/logout', { token: owner.token, body: {} });
    expect(out.status, out.text).toBe(204);

    await expectClosed(ws, CLOSE_CREDENTIAL_ENDED, sessionEnded('logged out'));
    await expectSseClosed(sse, CLOSE_CREDENTIAL_ENDED, sessionEnded('logged out'));
    await expectLive(kept, queue);
  });

  it("revoking an API key closes its run streams and no other key's", async () => {
    const owner = await newUser('Run Watcher');
    const { queue, stream } = await runScene(owner);
    const revoked = await newApiKey(owner, owner.orgId, ['runs:read']);
    const other = await newApiKey(owner, owner.orgId, ['runs:read']);
    const ws = await readySocket(stream, revoked.key);
    const sse = await readySse(stream, revoked.key);
    const kept = await readySocket(stream, other.key);

    const res = await call(orgPath(owner.orgId, `/api-keys/${revoked.record.id}/revoke`), {
      token: owner.token,
      body: {},
    });
    expect(res.status, res.text).toBeLessThan(300);

    await expectClosed(ws, CLOSE_CREDENTIAL_ENDED, 'api key revoked');
    await expectSseClosed(sse, CLOSE_CREDENTIAL_ENDED, 'api key revoked');
    await expectLive(kept, queue);
  });

  it('removing a member closes their run streams with 4403; the owner’s stays open', async () => {
    const owner = await newUser('Run Watcher');
    const member = await newUser('Member');
    await addMember(owner, owner.orgId, member, 'viewer');
    const { queue, stream } = await runScene(owner);
    const ws = await readySocket(stream, member.token);
    const sse = await readySse(stream, member.token);
    const kept = await readySocket(stream, owner.token);

    const res = await call(orgPath(owner.orgId, `/members/${member.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(res.status, res.text).toBe(204);

    await expectClosed(ws, CLOSE_ACCESS_ENDED, 'membership ended');
    await expectSseClosed(sse, CLOSE_ACCESS_ENDED, 'membership ended');
    await expectLive(kept, queue);
  });

  it("deleting an organization closes its run streams, and none in the owner's other organizations", async () => {
    const owner = await newUser('Run Watcher');
    const team = await call('/api/v1/orgs', { token: owner.token, body: { name: 'Doomed' } });
    expect(team.status, team.text).toBe(201);
    const inTeam = { ...owner, orgId: team.json.id as string };
    const doomed = await runScene(inTeam);
    const ws = await readySocket(doomed.stream, owner.token);
    const sse = await readySse(doomed.stream, owner.token);
    const home = await runScene(owner);
    const kept = await readySocket(home.stream, owner.token);

    const res = await call(`/api/v1/orgs/${inTeam.orgId}`, { method: 'DELETE', token: owner.token });
    expect(res.status, res.text).toBe(204);

    await expectClosed(ws, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectSseClosed(sse, CLOSE_ACCESS_ENDED, 'organization deleted');
    await expectLive(kept, home.queue);
  });

  it('an API key that expires closes its run streams when the run object’s alarm runs', async () => {
    const owner = await newUser('Run Watcher');
    const { run, stream } = await runScene(owner);
    const now = Date.now();
    const created = await call(orgPath(owner.orgId, '/api-keys'), {
      token: owner.token,
      body: { name: 'short', scopes: ['runs:read'], expires_at: new Date(now + 5 * 60_000).toISOString() },
    });
    expect(created.status, created.text).toBe(201);
    const ws = await readySocket(stream, created.json.key);
    const sse = await readySse(stream, created.json.key);
    const kept = await readySocket(stream, owner.token);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 6 * 60_000);
    expect(await fireAlarm(run.id)).toBe(true);

    await expectClosed(ws, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    await expectSseClosed(sse, CLOSE_CREDENTIAL_ENDED, 'api key expired');
    // The session's stream is still open: it answers a ping.
    kept.send('ping');
    while ((await kept.next()) !== 'pong');
    expect(kept.closed).toBeNull();
    kept.close();
  });
});
