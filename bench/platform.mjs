// Issue 2 benchmark: /health against authenticated reads (JWT and API key) and a paginated list.
// Goals: JWT reads >= 60% of /health throughput, API-key reads >= 50%.
import { pathToFileURL } from 'node:url';
import { load, printTable } from './lib/load.mjs';
import { api, signUp, startServer } from './lib/server.mjs';

export async function run({ baseUrl, duration = 8 }) {
  const user = await signUp(baseUrl, 'platform');
  const created = await api(baseUrl, `/api/v1/orgs/${user.orgId}/api-keys`, {
    token: user.token,
    body: { name: 'bench', scopes: ['*'] },
    expect: 201,
  });
  for (let i = 0; i < 30; i++) {
    await api(baseUrl, `/api/v1/orgs/${user.orgId}/teams`, {
      token: user.token,
      body: { name: `team-${i}` },
      expect: 201,
    });
  }
  const jwt = { Authorization: `Bearer ${user.token}` };
  const key = { Authorization: `Bearer ${created.key}` };
  const scenarios = [
    ['GET /health', `${baseUrl}/health`, {}],
    ['GET /api/v1/auth/me (JWT)', `${baseUrl}/api/v1/auth/me`, jwt],
    ['GET /api/v1/auth/me (API key)', `${baseUrl}/api/v1/auth/me`, key],
    ['GET …/teams?limit=20 (JWT)', `${baseUrl}/api/v1/orgs/${user.orgId}/teams?limit=20`, jwt],
    ['GET …/activity?limit=20 (API key)', `${baseUrl}/api/v1/orgs/${user.orgId}/activity?limit=20`, key],
  ];
  // Warm the isolate and the D1 page cache before measuring.
  await load({ url: `${baseUrl}/api/v1/auth/me`, headers: jwt, duration: 2 });
  const rows = [];
  for (const [name, url, headers] of scenarios) {
    const r = await load({ url, headers, duration });
    rows.push({ name, ...r });
  }
  const health = rows[0].rps;
  for (const r of rows) {
    r.ratio = `${Math.round((r.rps / health) * 100)}%`;
    r.rps = Math.round(r.rps);
  }
  printTable('Platform (32 connections each)', rows, [
    ['name', 'scenario'],
    ['rps', 'req/s'],
    ['p50', 'p50 ms'],
    ['p99', 'p99 ms'],
    ['ratio', 'vs /health'],
    ['errors', 'errors'],
  ]);
  const jwtRatio = rows[1].rps / health;
  const keyRatio = rows[2].rps / health;
  console.log(
    `\nGoal JWT >= 60%: ${jwtRatio >= 0.6 ? 'met' : 'NOT met'} (${Math.round(jwtRatio * 100)}%); ` +
      `API key >= 50%: ${keyRatio >= 0.5 ? 'met' : 'NOT met'} (${Math.round(keyRatio * 100)}%)`,
  );
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startServer({ port: 8797 });
  try {
    await run({ baseUrl: server.baseUrl });
  } finally {
    await server.stop();
  }
}
