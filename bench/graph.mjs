// Issue 4 benchmark: the dependency graph and execution order of a project with 5,000 tickets and
// 10,000 dependencies, created through the bulk endpoints. Goal: each response under 1 s locally.
import { performance } from 'node:perf_hooks';
import { printTable } from './lib/load.mjs';
import { api as apiCall, runAlone, signUp as signUpAt } from './lib/server.mjs';

const TICKETS = 5000;
const EDGES = 10000;
/** The bulk endpoint's documented maximum. */
const BATCH = 500;
const RUNS = 7;

/** A deterministic pseudo-random generator, so every run builds the same graph. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A random DAG: every edge goes from a ticket to an earlier one, EDGES edges in all. */
function randomDag() {
  const rand = rng(42);
  const deps = Array.from({ length: TICKETS }, () => new Set());
  let edges = 0;
  while (edges < EDGES) {
    const t = 1 + Math.floor(rand() * (TICKETS - 1));
    // Mostly near neighbours, as real work breaks down, with some long links.
    const span = rand() < 0.8 ? Math.min(t, 50) : t;
    const d = t - 1 - Math.floor(rand() * span);
    if (!deps[t].has(d)) {
      deps[t].add(d);
      edges++;
    }
  }
  return deps;
}

const timed = async (fn) => {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
};

export async function run({ baseUrl, signUp, api = apiCall }) {
  const user = await (signUp ?? ((label) => signUpAt(baseUrl, label)))('graph');
  const org = `/api/v1/orgs/${user.orgId}`;
  const project = await api(baseUrl, `${org}/projects`, {
    token: user.token,
    body: { name: 'Graph bench' },
    expect: 201,
  });
  const deps = randomDag();

  const ids = [];
  const build = await timed(async () => {
    for (let start = 0; start < TICKETS; start += BATCH) {
      const tickets = [];
      for (let i = start; i < Math.min(start + BATCH, TICKETS); i++) {
        tickets.push({
          ref: `t${i}`,
          title: `Ticket ${i}`,
          priority: `P${i % 4}`,
          // Earlier batches are referred to by id, this batch by ref.
          depends_on: [...deps[i]].map((d) => (d < start ? ids[d] : `t${d}`)),
        });
      }
      const res = await api(baseUrl, `${org}/tickets/bulk`, {
        token: user.token,
        body: { project_id: project.id, tickets },
        expect: 201,
      });
      for (const row of res.data) ids.push(row.ticket.id);
    }
  });

  const rows = [];
  for (const [name, path] of [
    ['GET …/dependency-graph', `${org}/projects/${project.id}/dependency-graph`],
    ['GET …/execution-order', `${org}/projects/${project.id}/execution-order`],
  ]) {
    const times = [];
    let body;
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${user.token}` } });
      const text = await res.text();
      times.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${text.slice(0, 300)}`);
      bytes = text.length;
      body = JSON.parse(text);
    }
    times.sort((a, b) => a - b);
    rows.push({
      name,
      body,
      min: Math.round(times[0]),
      p50: Math.round(times[Math.floor(RUNS / 2)]),
      max: Math.round(times.at(-1)),
      kb: Math.round(bytes / 1024),
    });
  }

  // Check the answers: all nodes and edges, and an order that respects every edge.
  const [graph, order] = rows.map((r) => r.body);
  const level = new Map();
  for (const l of order.levels) for (const t of l.tickets) level.set(t.id, l.level);
  const respected = graph.links.every((e) => level.get(e.source) < level.get(e.target));
  rows[0].check = graph.nodes.length === TICKETS && graph.links.length === EDGES ? 'ok' : 'WRONG';
  rows[1].check =
    order.total === TICKETS && level.size === TICKETS && respected
      ? `ok, ${order.levels.length} levels`
      : 'WRONG';

  console.log(
    `\nBuilt ${TICKETS} tickets and ${EDGES} dependencies in ${TICKETS / BATCH} bulk requests: ${(build.ms / 1000).toFixed(1)} s`,
  );
  printTable(`Dependency graph and execution order (${RUNS} requests each, one at a time)`, rows, [
    ['name', 'request'],
    ['min', 'min ms'],
    ['p50', 'p50 ms'],
    ['max', 'max ms'],
    ['kb', 'body KiB'],
    ['check', 'check'],
  ]);
  const met = rows.every((r) => r.max < 1000 && r.check.startsWith('ok'));
  console.log(`\nGoal: graph and execution order under 1 s: ${met ? 'met' : 'NOT met'}`);
  return rows.map(({ body: _body, ...r }) => r);
}

await runAlone(import.meta.url, run, { port: 8796 });
