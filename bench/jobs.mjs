// Issue 4 benchmark: 20 concurrent workers claiming and completing 2,000 jobs through the queue API.
// Goal: every job done exactly once (no duplicate claims, none lost); claims/s printed.
import { performance } from 'node:perf_hooks';
import { printTable } from './lib/load.mjs';
import { api as apiCall, runAlone, signUp as signUpAt } from './lib/server.mjs';

const JOBS = 2000;
const WORKERS = 20;
/** Submissions in flight at once while filling the queue. */
const SUBMIT_CONCURRENCY = 20;

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** One worker: claim `batch` jobs, complete each, until the queue has nothing left for it. */
async function worker({ baseUrl, api, user, queue, id, batch, claimed, latencies }) {
  let claims = 0;
  for (;;) {
    const t = performance.now();
    const lease = await api(baseUrl, `/api/v1/orgs/${user.orgId}/jobs/claim`, {
      token: user.token,
      body: { worker_id: id, queue, batch_size: batch },
      expect: 200,
    });
    latencies.push(performance.now() - t);
    claims++;
    if (lease.data.length === 0) return claims;
    for (const job of lease.data) {
      claimed.push(job.id);
      await api(baseUrl, `/api/v1/orgs/${user.orgId}/jobs/${job.id}/complete`, {
        token: user.token,
        body: { worker_id: id, lease_id: lease.lease_id, result: { by: id } },
        expect: 200,
      });
    }
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function scenario({ baseUrl, api, user, batch }) {
  const queue = `bench-b${batch}`;
  const submitted = [];
  const t0 = performance.now();
  await pool(
    Array.from({ length: JOBS }, (_, i) => i),
    SUBMIT_CONCURRENCY,
    async (i) => {
      const job = await api(baseUrl, `/api/v1/orgs/${user.orgId}/jobs`, {
        token: user.token,
        body: { type: 'bench', queue, payload: { i }, priority: i % 3 },
        expect: 201,
      });
      submitted.push(job.id);
    },
  );
  const submitSeconds = (performance.now() - t0) / 1000;

  const claimed = [];
  const latencies = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, (_, w) =>
      worker({ baseUrl, api, user, queue, id: `w${w}-b${batch}`, batch, claimed, latencies }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;

  const unique = new Set(claimed);
  const duplicates = claimed.length - unique.size;
  const lost = submitted.filter((id) => !unique.has(id)).length;
  const stats = await api(baseUrl, `/api/v1/orgs/${user.orgId}/jobs/stats?queue=${queue}`, {
    token: user.token,
    expect: 200,
  });
  const q = stats.queues[0];
  const ok =
    duplicates === 0 && lost === 0 && q.done === JOBS && q.waiting + q.leased + q.failed + q.dead === 0;
  latencies.sort((a, b) => a - b);
  return {
    name: `${WORKERS} workers, batch ${batch}`,
    submit: Math.round(JOBS / submitSeconds),
    jobs: Math.round(JOBS / seconds),
    claims: Math.round(latencies.length / seconds),
    p50: Math.round(pct(latencies, 50) * 10) / 10,
    p99: Math.round(pct(latencies, 99) * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
    check: ok ? 'ok' : `dup ${duplicates}, lost ${lost}, done ${q.done}`,
  };
}

export async function run({ baseUrl, signUp, api = apiCall }) {
  const user = await (signUp ?? ((label) => signUpAt(baseUrl, label)))('jobs');
  const rows = [];
  for (const batch of [1, 10]) rows.push(await scenario({ baseUrl, api, user, batch }));
  printTable(`Job queue: ${JOBS} jobs, ${WORKERS} concurrent workers claiming and completing`, rows, [
    ['name', 'scenario'],
    ['submit', 'submits/s'],
    ['claims', 'claim requests/s'],
    ['jobs', 'jobs claimed+completed/s'],
    ['p50', 'claim p50 ms'],
    ['p99', 'claim p99 ms'],
    ['seconds', 'total s'],
    ['check', 'exactly once'],
  ]);
  const met = rows.every((r) => r.check === 'ok');
  console.log(`\nGoal: every job done exactly once, none lost or duplicated: ${met ? 'met' : 'NOT met'}`);
  return rows;
}

await runAlone(import.meta.url, run, { port: 8796 });
