import { load, printTable } from './lib/load.mjs';
import { api, runAlone, signUp } from './lib/server.mjs';

const LISTS = ['teams', 'members', 'agents', 'tickets', 'activity', 'api-keys', 'jobs'];

export async function run({ baseUrl, duration = 8 }) {
  const user = await signUp(baseUrl, 'platform');
  const org = `${baseUrl}/api/v1/orgs/${user.orgId}`;
  const created = await api(baseUrl, `/api/v1/orgs/${user.orgId}/api-keys`, {
    token: user.token,
    body: { name: 'bench', scopes: ['*'] },
    expect: 201,
  });
  // Every list has more than a page of rows.
  const fill = (path, body) =>
    api(baseUrl, `/api/v1/orgs/${user.orgId}/${path}`, { token: user.token, body });
  for (let i = 0; i < 30; i++) {
    await fill('teams', { name: `team-${i}` });
    await fill('agents', { name: `agent-${i}` });
    await fill('tickets', { title: `ticket ${i}` });
    await fill('jobs', { type: 'bench', queue: 'bench', payload: { i } });
  }
  const agent = await api(baseUrl, `/api/v1/orgs/${user.orgId}/agents`, {
    token: user.token,
    body: { name: 'publisher' },
    expect: 201,
  });
  const jwt = { Authorization: `Bearer ${user.token}` };
  const key = { Authorization: `Bearer ${created.key}` };
  const scenarios = [
    ['GET /health', { url: `${baseUrl}/health` }],
    ['GET /api/v1/auth/me (JWT)', { url: `${baseUrl}/api/v1/auth/me`, headers: jwt }],
    ['GET /api/v1/auth/me (API key)', { url: `${baseUrl}/api/v1/auth/me`, headers: key }],
    ...LISTS.map((list) => [
      `GET …/${list}?limit=20 (JWT)`,
      { url: `${org}/${list}?limit=20`, headers: jwt },
    ]),
    ['GET …/activity?limit=20 (API key)', { url: `${org}/activity?limit=20`, headers: key }],
    [
      'POST …/agents/{id}/events, 1 event (JWT)',
      {
        url: `${org}/agents/${agent.id}/events`,
        method: 'POST',
        headers: { ...jwt, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'agent.output', payload: { text: 'one event per request' } }),
      },
    ],
  ];
  // Warm the isolate and the D1 page cache before measuring.
  await load({ url: `${baseUrl}/api/v1/auth/me`, headers: jwt, duration: 2 });
  // Each scenario runs right after its own /health run and is compared with it, so a machine whose
  // load changes during the benchmark (other work on it) skews the ratios as little as possible.
  const rows = [];
  for (const [name, options] of scenarios) {
    const health = await load({ url: `${baseUrl}/health`, duration: duration / 2 });
    const r = await load({ ...options, duration });
    rows.push({ name, ...r, health: Math.round(health.rps), ratio: r.rps / health.rps });
  }
  const ratioOf = (r) => r.ratio;
  for (const r of rows) {
    r.pct = `${Math.round(r.ratio * 100)}%`;
    r.req = Math.round(r.rps);
  }
  printTable('Platform (32 connections each)', rows, [
    ['name', 'scenario'],
    ['req', 'req/s'],
    ['p50', 'p50 ms'],
    ['p99', 'p99 ms'],
    ['health', '/health just before'],
    ['pct', 'vs /health'],
    ['errors', 'errors'],
  ]);
  const pct = (v) => `${Math.round(v * 100)}%`;
  const goal = (label, value, target) =>
    `${label} >= ${pct(target)}: ${value >= target ? 'met' : 'NOT met'} (${pct(value)})`;
  const lists = rows.filter((r) => r.name.startsWith('GET …/'));
  const slowest = Math.min(...lists.map(ratioOf));
  const publish = ratioOf(rows.find((r) => r.name.startsWith('POST')));
  console.log(
    `\nGoal ${goal('JWT', ratioOf(rows[1]), 0.6)}; ${goal('API key', ratioOf(rows[2]), 0.5)}; ` +
      `${goal('every list', slowest, 0.35)}; ${goal('single-event publish', publish, 0.25)}`,
  );
  return rows;
}

await runAlone(import.meta.url, run, { port: 8797 });
