import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newApiKey,
  newUser,
  orgPath,
  type TestUser,
  unique,
} from '../support';
import { cron } from '../support/cron';

async function submit(u: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(orgPath(u.orgId, '/jobs'), {
    token: u.token,
    body: { type: 'echo', payload: { n: 1 }, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

async function claim(u: TestUser, body: Record<string, unknown> = {}) {
  const res = await call(orgPath(u.orgId, '/jobs/claim'), {
    token: u.token,
    body: { worker_id: 'w1', ...body },
  });
  expect(res.status, res.text).toBe(200);
  return res.json as { lease_id: string; data: { id: string; [k: string]: unknown }[] };
}

const act = (u: TestUser, jobId: string, what: string, body: Record<string, unknown>) =>
  call(orgPath(u.orgId, `/jobs/${jobId}/${what}`), { token: u.token, body });

afterEach(() => {
  vi.useRealTimers();
});

describe('job queue', () => {
  it('submits, claims, heartbeats and completes a job', async () => {
    const u = await newUser();
    const job = await submit(u, { queue: 'builds', priority: 5, timeout_seconds: 60 });
    expect(job).toMatchObject({
      state: 'waiting',
      attempts: 0,
      queue: 'builds',
      max_attempts: 3,
      timeout_seconds: 60,
    });
    const lease = await claim(u, { queue: 'builds' });
    expect(lease.data.map((j) => j.id)).toEqual([job.id]);
    expect(lease.data[0]).toMatchObject({ state: 'leased', attempts: 1, worker_id: 'w1' });
    const hb = await act(u, job.id, 'heartbeat', {
      worker_id: 'w1',
      lease_id: lease.lease_id,
      extend_seconds: 120,
    });
    expect(hb.status, hb.text).toBe(200);
    expect(Date.parse(hb.json.lease_expires_at)).toBeGreaterThan(
      Date.parse(lease.data[0]!.lease_expires_at as string),
    );
    const done = await act(u, job.id, 'complete', {
      worker_id: 'w1',
      lease_id: lease.lease_id,
      result: { ok: true },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({ state: 'done', result: { ok: true } });
    expect(done.json.completed_at).not.toBeNull();
    expectProblem(await act(u, job.id, 'complete', { worker_id: 'w1', lease_id: lease.lease_id }), 409);
    const activity = await call(orgPath(u.orgId, `/activity?entity_id=${job.id}`), { token: u.token });
    expect(activity.json.data.map((a: { action: string }) => a.action).reverse()).toEqual([
      'job.submitted',
      'job.claimed',
      'job.completed',
    ]);
  });

  it('hands out the most urgent jobs first, only of the queue and types asked for', async () => {
    const u = await newUser();
    const low = await submit(u, { priority: 0 });
    const high = await submit(u, { priority: 10 });
    await submit(u, { queue: 'other', priority: 100 });
    const typed = await submit(u, { type: 'special', priority: -5 });
    expect((await claim(u, { types: ['special'] })).data.map((j) => j.id)).toEqual([typed.id]);
    expect((await claim(u, { batch_size: 5 })).data.map((j) => j.id)).toEqual([high.id, low.id]);
    expect((await claim(u)).data).toEqual([]);
  });

  it('returns the original job for a repeated submission with the same idempotency key', async () => {
    const u = await newUser();
    const key = unique('job');
    const first = await submit(u, { idempotency_key: key });
    const again = await call(orgPath(u.orgId, '/jobs'), {
      token: u.token,
      body: { type: 'echo', payload: { n: 2 }, idempotency_key: key },
    });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.id);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(orgPath(u.orgId, '/jobs'), {
          token: u.token,
          body: { type: 'echo', payload: {}, idempotency_key: `${key}-c` },
        }),
      ),
    );
    expect(new Set(concurrent.map((r) => r.json.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    const list = await call(orgPath(u.orgId, '/jobs?limit=100'), { token: u.token });
    expect(list.json.data).toHaveLength(2);
  });

  it('replays a submission or a claim retried with the same Idempotency-Key header', async () => {
    const u = await newUser();
    const headers = { 'Idempotency-Key': unique('hdr') };
    const body = { type: 'echo', payload: { n: 1 } };
    const first = await call(orgPath(u.orgId, '/jobs'), { token: u.token, body, headers });
    const retry = await call(orgPath(u.orgId, '/jobs'), { token: u.token, body, headers });
    expect(retry.json.id).toBe(first.json.id);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    const claimHeaders = { 'Idempotency-Key': unique('claim') };
    const lease = await call(orgPath(u.orgId, '/jobs/claim'), {
      token: u.token,
      body: { worker_id: 'w' },
      headers: claimHeaders,
    });
    const again = await call(orgPath(u.orgId, '/jobs/claim'), {
      token: u.token,
      body: { worker_id: 'w' },
      headers: claimHeaders,
    });
    expect(again.json).toEqual(lease.json);
    expect(lease.json.data.map((j: { id: string }) => j.id)).toEqual([first.json.id]);
  });

  it('never gives one job to two of many workers claiming at once', async () => {
    const u = await newUser();
    const submitted = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(u, { payload: { i } })));
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, w) => claim(u, { worker_id: `w${w}`, batch_size: 4 })),
    );
    const got = claims.flatMap((c) => c.data.map((j) => j.id));
    expect(new Set(got).size).toBe(got.length);
    const rest = await claim(u, { worker_id: 'late', batch_size: 100 });
    expect([...got, ...rest.data.map((j) => j.id)].sort()).toEqual(submitted.map((j) => j.id).sort());
  });

  it('retries a failed job after a backoff that doubles, then makes it dead', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const u = await newUser();
    const job = await submit(u, { max_attempts: 3 });
    let lease = await claim(u);
    let failed = await act(u, job.id, 'fail', { worker_id: 'w1', lease_id: lease.lease_id, error: 'boom' });
    expect(failed.json).toMatchObject({ state: 'failed', attempts: 1, last_error: 'boom' });
    expect(Date.parse(failed.json.available_at) - t0).toBe(10_000);
    expect((await claim(u)).data).toEqual([]);

    vi.setSystemTime(t0 + 10_000);
    lease = await claim(u);
    expect(lease.data.map((j) => j.id)).toEqual([job.id]);
    failed = await act(u, job.id, 'fail', { worker_id: 'w1', lease_id: lease.lease_id, error: 'boom again' });
    expect(Date.parse(failed.json.available_at) - (t0 + 10_000)).toBe(20_000);

    vi.setSystemTime(t0 + 30_000);
    lease = await claim(u);
    const dead = await act(u, job.id, 'fail', { worker_id: 'w1', lease_id: lease.lease_id, error: 'third' });
    expect(dead.json).toMatchObject({ state: 'dead', attempts: 3 });
    const stats = await call(orgPath(u.orgId, '/jobs/stats'), { token: u.token });
    expect(stats.json.queues).toEqual([
      { queue: 'default', waiting: 0, leased: 0, done: 0, failed: 0, dead: 1 },
    ]);
  });

  it('makes a job dead at once when the worker says retrying is pointless', async () => {
    const u = await newUser();
    const job = await submit(u);
    const lease = await claim(u);
    const res = await act(u, job.id, 'fail', {
      worker_id: 'w1',
      lease_id: lease.lease_id,
      error: 'bad input',
      retryable: false,
    });
    expect(res.json).toMatchObject({ state: 'dead', attempts: 1 });
  });

  it('returns a job whose lease expired to the queue through the scheduled handler', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const u = await newUser();
    const job = await submit(u, { timeout_seconds: 30, max_attempts: 2 });
    vi.setSystemTime(t0 + 1_000);
    const first = await claim(u, { worker_id: 'sleepy' });

    vi.setSystemTime(t0 + 20_000);
    await cron();
    expect((await call(orgPath(u.orgId, `/jobs/${job.id}`), { token: u.token })).json.state).toBe('leased');

    vi.setSystemTime(t0 + 32_000);
    expectProblem(await act(u, job.id, 'heartbeat', { worker_id: 'sleepy', lease_id: first.lease_id }), 409);
    await cron();
    const back = await call(orgPath(u.orgId, `/jobs/${job.id}`), { token: u.token });
    expect(back.json).toMatchObject({ state: 'waiting', attempts: 1, lease_expires_at: null });
    expect(back.json.last_error).toContain('sleepy');
    await cron();

    vi.setSystemTime(t0 + 33_000);
    const second = await claim(u, { worker_id: 'awake' });
    expect(second.data.map((j) => j.id)).toEqual([job.id]);
    expectProblem(await act(u, job.id, 'complete', { worker_id: 'sleepy', lease_id: first.lease_id }), 409);

    // The second lease also expires: that was the last attempt, so the job is dead.
    vi.setSystemTime(t0 + 64_000);
    await cron();
    const dead = await call(orgPath(u.orgId, `/jobs/${job.id}`), { token: u.token });
    expect(dead.json).toMatchObject({ state: 'dead', attempts: 2 });
    const actions = await call(orgPath(u.orgId, `/activity?entity_id=${job.id}`), { token: u.token });
    expect(actions.json.data.map((a: { action: string }) => a.action).reverse()).toEqual([
      'job.submitted',
      'job.claimed',
      'job.lease_expired',
      'job.claimed',
      'job.dead',
    ]);
  });

  it('keeps a lease alive with heartbeats past its timeout', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    vi.setSystemTime(t0);
    const u = await newUser();
    const job = await submit(u, { timeout_seconds: 30 });
    const lease = await claim(u);
    for (const t of [20_000, 40_000, 60_000]) {
      vi.setSystemTime(t0 + t);
      expect((await act(u, job.id, 'heartbeat', { worker_id: 'w1', lease_id: lease.lease_id })).status).toBe(
        200,
      );
      await cron();
    }
    const done = await act(u, job.id, 'complete', { worker_id: 'w1', lease_id: lease.lease_id });
    expect(done.json.state).toBe('done');
  });

  it('refuses heartbeat, complete and fail from a worker without the lease', async () => {
    const u = await newUser();
    const job = await submit(u);
    const lease = await claim(u);
    expectProblem(await act(u, job.id, 'heartbeat', { worker_id: 'w2', lease_id: lease.lease_id }), 409);
    expectProblem(await act(u, job.id, 'complete', { worker_id: 'w1', lease_id: 'lse_forged' }), 409);
    expectProblem(await act(u, job.id, 'fail', { worker_id: 'w1', lease_id: 'lse_forged', error: 'x' }), 409);
    expectProblem(
      await act(u, 'job_missing', 'complete', { worker_id: 'w1', lease_id: lease.lease_id }),
      404,
    );
  });

  it('lists jobs by state, reports queue statistics and registered workers', async () => {
    const u = await newUser();
    const a = await submit(u, { queue: 'q1' });
    await submit(u, { queue: 'q1' });
    await submit(u, { queue: 'q2' });
    const lease = await claim(u, { queue: 'q1', worker_id: 'alpha' });
    await act(u, lease.data[0]!.id, 'complete', { worker_id: 'alpha', lease_id: lease.lease_id });
    await claim(u, { queue: 'q1', worker_id: 'beta' });
    const waiting = await call(orgPath(u.orgId, '/jobs?state=waiting'), { token: u.token });
    expect(waiting.json.data).toHaveLength(1);
    expect((await call(orgPath(u.orgId, '/jobs?state=done'), { token: u.token })).json.data[0].id).toBe(a.id);
    const stats = await call(orgPath(u.orgId, '/jobs/stats'), { token: u.token });
    expect(stats.json.queues).toEqual([
      { queue: 'q1', waiting: 0, leased: 1, done: 1, failed: 0, dead: 0 },
      { queue: 'q2', waiting: 1, leased: 0, done: 0, failed: 0, dead: 0 },
    ]);
    const workers = await call(orgPath(u.orgId, '/jobs/workers'), { token: u.token });
    expect(workers.json.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          worker_id: 'alpha',
          jobs_completed: 1,
          active_leases: 0,
          last_queue: 'q1',
        }),
        expect.objectContaining({ worker_id: 'beta', jobs_completed: 0, active_leases: 1 }),
      ]),
    );
  });

  it('validates submissions and claims with 422', async () => {
    const u = await newUser();
    const res = expectProblem(
      await call(orgPath(u.orgId, '/jobs'), {
        token: u.token,
        body: { type: '', queue: 'Bad Queue!', max_attempts: 0 },
      }),
      422,
    );
    expect(res.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['type', 'queue', 'max_attempts', 'payload']),
    );
    expectProblem(
      await call(orgPath(u.orgId, '/jobs/claim'), { token: u.token, body: { batch_size: 1000 } }),
      422,
    );
  });

  it('lets workers use an API key with jobs:write, keeps viewers to reading and hides other organizations’ jobs', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const stranger = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const { key } = await newApiKey(owner, owner.orgId, ['jobs:read', 'jobs:write']);
    const job = await call(orgPath(owner.orgId, '/jobs'), { token: key, body: { type: 'x', payload: null } });
    expect(job.status, job.text).toBe(201);
    const lease = await call(orgPath(owner.orgId, '/jobs/claim'), {
      token: key,
      body: { worker_id: 'container-1' },
    });
    expect(lease.json.data).toHaveLength(1);
    expect((await call(orgPath(owner.orgId, `/jobs/${job.json.id}`), { token: viewer.token })).status).toBe(
      200,
    );
    expectProblem(
      await call(orgPath(owner.orgId, '/jobs'), { token: viewer.token, body: { type: 'x', payload: 1 } }),
      403,
    );
    expectProblem(
      await call(orgPath(owner.orgId, '/jobs/claim'), { token: viewer.token, body: { worker_id: 'v' } }),
      403,
    );
    expectProblem(await call(orgPath(owner.orgId, '/jobs')), 401);
    expectProblem(
      await call(orgPath(stranger.orgId, `/jobs/${job.json.id}`), { token: stranger.token }),
      404,
    );
    const strangerClaim = await call(orgPath(stranger.orgId, '/jobs/claim'), {
      token: stranger.token,
      body: { worker_id: 's' },
    });
    expect(strangerClaim.json.data).toEqual([]);
    expectProblem(
      await call(orgPath(stranger.orgId, `/jobs/${job.json.id}/complete`), {
        token: stranger.token,
        body: { worker_id: 'container-1', lease_id: lease.json.lease_id },
      }),
      404,
    );
    const { key: readOnly } = await newApiKey(owner, owner.orgId, ['jobs:read']);
    expectProblem(
      await call(orgPath(owner.orgId, '/jobs/claim'), { token: readOnly, body: { worker_id: 'r' } }),
      403,
    );
  });
});
