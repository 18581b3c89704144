import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../src/domain/streams/protocol';
import { MAX_JSON_DEPTH, nestingDepth, textNestingDepth } from '../../src/lib/json-value';
import { call, expectProblem, newUser, type TestUser } from '../support';

/** JSON text of an object whose field `a` nests `depth` arrays deep: far past any call stack. */
const deepText = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
/** A body whose `field` holds that object, as raw JSON text (the test never builds it as a value). */
const withDeep = (fields: Record<string, unknown>, field: string, depth = 20_000) =>
  `${JSON.stringify(fields).slice(0, -1)}${Object.keys(fields).length ? ',' : ''}"${field}":${deepText(depth)}}`;

/** Nested objects, `levels` deep counting the outermost. */
const nested = (levels: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) v = { v };
  return v;
};

let u: TestUser;
const path = (rest: string) => `/api/v1/orgs/${u.orgId}${rest}`;
const post = (rest: string, body: unknown, headers?: Record<string, string>) =>
  call(path(rest), { token: u.token, body, headers });
const get = (rest: string) => call(path(rest), { token: u.token });

function expectLimit(res: Awaited<ReturnType<typeof call>>, field: string, limit: RegExp) {
  const p = expectProblem(res, 422);
  expect(p.errors).toEqual([{ path: field, message: expect.stringMatching(limit) }]);
  expect(p.detail).toMatch(new RegExp(`^${field} `));
}

beforeAll(async () => {
  u = await newUser();
});

describe('free-form JSON fields', () => {
  it('refuse a job payload nested thousands of levels deep with 422 and store no job', async () => {
    expectLimit(await post('/jobs', withDeep({ type: 'deep' }, 'payload')), 'payload', /32 levels/);
    expectLimit(
      await post('/jobs', withDeep({ type: 'deep' }, 'payload'), { 'Idempotency-Key': 'deep-1' }),
      'payload',
      /32 levels/,
    );
    expect((await get('/jobs?type=deep')).json.data).toEqual([]);
    // The refused request left its idempotency key free for a good one.
    const ok = await post('/jobs', { type: 'deep', payload: { n: 1 } }, { 'Idempotency-Key': 'deep-1' });
    expect(ok.status, ok.text).toBe(201);
  });

  it('refuse deep agent config, event payloads and message metadata, storing nothing', async () => {
    expectLimit(await post('/agents', withDeep({ name: 'deep-agent' }, 'config')), 'config', /32 levels/);
    expect((await get('/agents')).json.data.map((a: { name: string }) => a.name)).not.toContain('deep-agent');
    const agent = await post('/agents', { name: 'shallow-agent' });
    expect(agent.status, agent.text).toBe(201);
    const events = `/agents/${agent.json.id}/events`;
    const before = (await get(`${events}?after=0`)).json.data;
    expectLimit(await post(events, withDeep({ type: 'agent.output' }, 'payload')), 'payload', /32 levels/);
    const batch = `{"events":[{"type":"agent.output","payload":{}},{"type":"agent.output","payload":${deepText(20_000)}}]}`;
    expectLimit(await post(events, batch), 'events.1.payload', /32 levels/);
    expectLimit(
      await post(`/agents/${agent.json.id}/messages`, withDeep({ content: 'hi' }, 'metadata')),
      'metadata',
      /32 levels/,
    );
    expect((await get(`${events}?after=0`)).json.data).toEqual(before);
  });

  it('refuse a deep prompt preview context and deep project settings', async () => {
    const roles = await get('/roles');
    const roleId = roles.json.data[0].id;
    expectLimit(await post(`/roles/${roleId}/preview`, withDeep({}, 'context')), 'context', /32 levels/);
    expectLimit(await post('/projects', withDeep({ name: 'deep' }, 'settings')), 'settings', /32 levels/);
    expect((await get('/projects')).json.data.map((p: { name: string }) => p.name)).not.toContain('deep');
  });

  it('take a value exactly 32 levels deep and refuse one level more', async () => {
    const at = await post('/jobs', { type: 'depth', payload: nested(MAX_JSON_DEPTH) });
    expect(at.status, at.text).toBe(201);
    expectLimit(await post('/jobs', { type: 'depth', payload: nested(MAX_JSON_DEPTH + 1) }), 'payload', /32/);
    expectLimit(
      await post('/jobs', { type: 'big', payload: 'x'.repeat(256 * 1024) }),
      'payload',
      /larger than the limit of 256 KiB/,
    );
  });

  it('refuse a deep job result and leave the job leased', async () => {
    const own = await newUser();
    const job = await call(`/api/v1/orgs/${own.orgId}/jobs`, {
      token: own.token,
      body: { type: 't', payload: 1 },
    });
    const lease = await call(`/api/v1/orgs/${own.orgId}/jobs/claim`, {
      token: own.token,
      body: { worker_id: 'w' },
    });
    const done = await call(`/api/v1/orgs/${own.orgId}/jobs/${job.json.id}/complete`, {
      token: own.token,
      body: withDeep({ worker_id: 'w', lease_id: lease.json.lease_id }, 'result'),
    });
    expectLimit(done, 'result', /32 levels/);
    const after = await call(`/api/v1/orgs/${own.orgId}/jobs/${job.json.id}`, { token: own.token });
    expect(after.json).toMatchObject({ state: 'leased', result: null });
  });

  it('still lease and read a job whose payload was stored too deep before nesting was bounded', async () => {
    const own = await newUser();
    const now = Date.now();
    const payload = deepText(20_000);
    await env.DB.prepare(
      `INSERT INTO jobs (id, org_id, queue, type, payload, priority, state, attempts, max_attempts, timeout_ms,
         available_at, created_by, created_at, updated_at)
       VALUES (?, ?, 'default', 'legacy', ?, 0, 'waiting', 0, 3, 60000, ?, ?, ?, ?)`,
    )
      .bind('job_legacy_deep', own.orgId, payload, now - 1000, own.id, now, now)
      .run();
    const lease = await call(`/api/v1/orgs/${own.orgId}/jobs/claim`, {
      token: own.token,
      body: { worker_id: 'w' },
    });
    expect(lease.status, lease.text.slice(0, 300)).toBe(200);
    expect(lease.json.data).toEqual([expect.objectContaining({ id: 'job_legacy_deep', payload })]);
    const read = await call(`/api/v1/orgs/${own.orgId}/jobs/job_legacy_deep`, { token: own.token });
    expect(read.json).toMatchObject({ state: 'leased', payload });
  });
});

describe('nesting depth', () => {
  it('is measured without recursion, stopping as soon as the limit is passed', () => {
    const hostile = JSON.parse(deepText(200_000));
    expect(nestingDepth(hostile, 32)).toBe(33);
    expect(nestingDepth({ a: [1, { b: [] }], c: 'x' }, 32)).toBe(4);
    expect(nestingDepth('scalar', 32)).toBe(0);
  });

  it('is measured on stored text, ignoring brackets inside strings', () => {
    expect(textNestingDepth(deepText(200_000), 512)).toBe(513);
    expect(textNestingDepth('{"a":"[[[[\\"[[[","b":[{}]}', 32)).toBe(3);
  });
});

describe('stream frames', () => {
  it('answer a subscribe frame with a deeply nested channel with an error, not a crash', () => {
    const frame = `{"op":"subscribe","channels":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}`;
    expect(parseClientFrame(frame)).toMatch(/^Not a channel: a list/);
  });
});
