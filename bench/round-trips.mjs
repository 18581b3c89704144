// Issue 8 benchmark: what each step of the README walkthrough and each main list costs, as the
// response's Server-Timing header reports it: D1 round trips and Durable Object calls.
// Each read runs twice: once after caches expired (credentials and memberships are trusted for a
// second) and again at once. Goals: an authenticated read makes at most 2 D1 round trips, 1 when
// repeated; a create is one batch (plus the idempotency claim and result when a key is sent).
import { randomBytes } from 'node:crypto';
import { printTable } from './lib/load.mjs';
import { runAlone } from './lib/server.mjs';

/** Longer than the one second an isolate trusts a credential or membership check. */
const CACHE_EXPIRY_MS = 1100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `{ d1, do }` from `d1;desc="2 round trips";dur=…, do;desc="1 call";dur=…`; null without it. */
export function costOf(res) {
  const header = res.headers.get('Server-Timing');
  if (!header) return null;
  const count = (name) => Number(new RegExp(`(?:^|,\\s*)${name};desc="(\\d+)`).exec(header)?.[1] ?? 0);
  return { d1: count('d1'), do: count('do') };
}

async function request(baseUrl, path, { method, token, body, headers = {} } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: method ?? (body !== undefined ? 'POST' : 'GET'),
    headers: {
      ...headers,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { res, status: res.status, json: text ? JSON.parse(text) : null, cost: costOf(res) };
}

const fmt = (cost) => (cost ? `${cost.d1}` : 'n/a');
const fmtDo = (cost) => (cost ? `${cost.do}` : 'n/a');

export async function run({ baseUrl }) {
  const rows = [];
  /**
   * A write (or a step that must not repeat): measured once. Organization writes follow a read by
   * the same caller, so what they show is the write itself, as for a busy client.
   */
  let warmUp = null;
  const once = async (name, path, opts, want) => {
    if (warmUp && opts.token) await request(baseUrl, warmUp, { token: opts.token });
    const r = await request(baseUrl, path, opts);
    if (r.status !== want) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.json)}`);
    rows.push({ name, status: r.status, d1: fmt(r.cost), do: fmtDo(r.cost), kind: 'write', cost: r.cost });
    return r.json;
  };
  /** A read: once with cold caches, then repeated at once. */
  const twice = async (name, path, opts, want = 200) => {
    await sleep(CACHE_EXPIRY_MS);
    const cold = await request(baseUrl, path, opts);
    const warm = await request(baseUrl, path, opts);
    if (cold.status !== want || warm.status !== want)
      throw new Error(`${name}: ${cold.status}/${warm.status} ${JSON.stringify(warm.json)}`);
    rows.push({
      name,
      status: cold.status,
      d1: fmt(cold.cost),
      do: fmtDo(cold.cost),
      d1Again: fmt(warm.cost),
      doAgain: fmtDo(warm.cost),
      kind: want === 200 ? 'read' : 'refused',
      cost: cold.cost,
      again: warm.cost,
    });
    return warm.json;
  };

  // The README's five-minute walkthrough.
  const email = `walkthrough-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'compiler-pioneer-1952';
  await once(
    '1. POST /auth/register',
    '/api/v1/auth/register',
    { body: { email, password, name: 'Grace' } },
    201,
  );
  const login = await once('2. POST /auth/login', '/api/v1/auth/login', { body: { email, password } }, 200);
  const token = login.access_token;
  const me = await twice('2. GET /auth/me (JWT)', '/api/v1/auth/me', { token });
  const org = `/api/v1/orgs/${me.user.personal_org_id}`;
  warmUp = `${org}/members?limit=1`;
  const created = await once(
    '3. POST …/api-keys',
    `${org}/api-keys`,
    { token, body: { name: 'ci-bot', scopes: ['activity:read', 'org:read'] } },
    201,
  );
  const key = created.key;
  await twice('4. GET /auth/me (API key)', '/api/v1/auth/me', { token: key });
  await twice('4. GET …/members (API key)', `${org}/members`, { token: key });
  await twice('4. GET …/api-keys (API key, 403)', `${org}/api-keys`, { token: key }, 403);
  await twice('5. GET …/activity?limit=10 (API key)', `${org}/activity?limit=10`, { token: key });
  await twice('5. GET …/activity/stats (JWT)', `${org}/activity/stats`, { token });

  // Writes beyond the walkthrough, then the main lists.
  const agent = await once(
    'POST …/agents',
    `${org}/agents`,
    { token, body: { name: 'walkthrough-agent' } },
    201,
  );
  await once(
    'POST …/agents/{id}/events (1 event)',
    `${org}/agents/${agent.id}/events`,
    { token, body: { type: 'agent.output', payload: { text: 'hello' } } },
    201,
  );
  await twice('GET …/agents/{id}/events', `${org}/agents/${agent.id}/events?after=0`, { token });
  // The organization's first ticket also makes its system project; the second shows a plain create.
  await once('POST …/tickets (first)', `${org}/tickets`, { token, body: { title: 'Write the docs' } }, 201);
  await once('POST …/tickets', `${org}/tickets`, { token, body: { title: 'Review the docs' } }, 201);
  await once(
    'POST …/jobs (Idempotency-Key)',
    `${org}/jobs`,
    {
      token,
      body: { type: 'bench', payload: {} },
      headers: { 'Idempotency-Key': randomBytes(8).toString('hex') },
    },
    201,
  );
  await once('POST …/teams', `${org}/teams`, { token, body: { name: 'walkthrough-team' } }, 201);
  for (const list of ['activity', 'agents', 'tickets', 'teams', 'members', 'api-keys', 'jobs', 'projects'])
    await twice(`GET …/${list} (JWT)`, `${org}/${list}?limit=20`, { token });

  printTable('Round trips per operation (from Server-Timing)', rows, [
    ['name', 'operation'],
    ['status', 'status'],
    ['d1', 'D1 round trips'],
    ['do', 'DO calls'],
    ['d1Again', 'D1 (repeated within 1 s)'],
    ['doAgain', 'DO (repeated)'],
  ]);
  console.log(
    'Reads: first after the caches expired, then repeated at once. Organization writes: with the ' +
      "caller's credentials and membership cached.",
  );

  const reads = rows.filter((r) => r.kind === 'read' && r.cost);
  const writes = rows.filter(
    (r) => r.kind === 'write' && r.cost && r.name.startsWith('POST …') && !r.name.includes('(first)'),
  );
  if (reads.length === 0) {
    console.log('\nThe server sends no Server-Timing header: nothing to check.');
    return rows;
  }
  const readsMet = reads.every((r) => r.cost.d1 <= 2 && r.again.d1 <= 1);
  // A create: one batch; with Idempotency-Key two more (claim, result). Publishing needs no D1.
  const writesMet = writes.every((r) => r.cost.d1 <= (r.name.includes('Idempotency-Key') ? 3 : 1));
  console.log(
    `\nGoal reads <= 2 D1 round trips (1 repeated): ${readsMet ? 'met' : 'NOT met'}; ` +
      `creates one batch (+ idempotency record): ${writesMet ? 'met' : 'NOT met'}`,
  );
  return rows;
}

await runAlone(import.meta.url, run, { port: 8794 });
