// Issue 3 benchmark: events published to one agent hub while N WebSocket subscribers (1, 10, 100)
// receive them; then cursor reads of the hub's buffer.
// Goal: >= 1,000 events/s into one hub with 10 subscribers, p99 publish→receive < 50 ms, and no
// event lost or reordered (every subscriber sees consecutive sequence numbers, each exactly once).
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { printTable } from './lib/load.mjs';
import { api as apiCall, runAlone, signUp as signUpAt } from './lib/server.mjs';

const SUBSCRIBERS = [1, 10, 100];
const EVENTS = 5000;
/** Publish requests in flight at once: a closed loop, as fast as the server takes them. */
const CONCURRENCY = 8;
/**
 * Events per publish request. A runtime streaming output sends what it has every few
 * milliseconds; one event per request is measured too, and is bound by the per-request cost of
 * the Worker (authentication and tenancy lookups), not by the hub.
 */
const BATCH = 20;
/** The paced run publishes at this rate, to read latency below saturation. */
const PACED_RATE = 1000;

const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (v) => Math.round(v * 10) / 10;

/** A subscriber that records each event's sequence number and publish→receive latency. */
function subscribe(baseUrl, path, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const sub = { ws, seqs: [], latencies: [], onEvent: null };
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.op === 'ready') return resolve(sub);
      if (frame.op !== 'event') return;
      sub.seqs.push(frame.event.seq);
      sub.latencies.push(now() - frame.event.payload.sent_at);
      sub.onEvent?.();
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (code !== 1000 && code !== 1005) console.error(`a subscriber was disconnected (${code})`);
    });
  });
}

async function publishAll(
  baseUrl,
  path,
  token,
  count,
  { rate, batch = BATCH, concurrency = CONCURRENCY } = {},
) {
  let next = 0;
  const started = now();
  const worker = async () => {
    for (;;) {
      const i = next;
      if (i >= count) return;
      const size = Math.min(batch, count - i);
      next += size;
      if (rate) {
        const wait = started + (i * 1000) / rate - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const sent_at = now();
      const events = Array.from({ length: size }, (_, j) => ({
        type: 'agent.output',
        payload: { i: i + j, sent_at },
      }));
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(size === 1 ? events[0] : { events }),
      });
      if (res.status !== 201) throw new Error(`publish ${i}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return now() - started;
}

/** Waits until every subscriber has `count` events (or fails after a generous deadline). */
function allReceived(subs, count) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (subs.every((s) => s.seqs.length >= count)) {
        clearTimeout(timer);
        for (const s of subs) s.onEvent = null;
        resolve(now());
      }
    };
    const timer = setTimeout(() => {
      const got = subs.map((s) => s.seqs.length);
      const seen = new Set(subs[0].seqs);
      const first = Math.min(...subs[0].seqs);
      const missing = [];
      for (let q = first; missing.length < 10 && q < first + count; q++) if (!seen.has(q)) missing.push(q);
      reject(
        new Error(
          `subscribers stalled: received ${Math.min(...got)}–${Math.max(...got)} of ${count}; ` +
            `first missing sequence numbers: ${missing.join(', ')}`,
        ),
      );
    }, 60_000);
    for (const s of subs) s.onEvent = check;
    check();
  });
}

/** Every subscriber must see first+1 … first+count exactly once, in order. */
function verify(subs, first, count) {
  let problems = 0;
  for (const s of subs) {
    if (s.seqs.length !== count) problems += 1;
    else
      for (let i = 0; i < count; i++)
        if (s.seqs[i] !== first + 1 + i) {
          problems += 1;
          break;
        }
  }
  return problems;
}

async function scenario({
  baseUrl,
  user,
  agentId,
  n,
  count,
  rate,
  batch = BATCH,
  concurrency = CONCURRENCY,
}) {
  const eventsPath = `/api/v1/orgs/${user.orgId}/agents/${agentId}/events`;
  const streamPath = `/api/v1/orgs/${user.orgId}/agents/${agentId}/stream?channels=agent.output`;
  const subs = [];
  for (let i = 0; i < n; i += 20) {
    const batch = Array.from({ length: Math.min(20, n - i) }, () =>
      subscribe(baseUrl, streamPath, user.token),
    );
    subs.push(...(await Promise.all(batch)));
  }
  const before = await apiCall(baseUrl, `${eventsPath}?after=0&limit=1`, { token: user.token, expect: 200 });
  const first = before.latest_seq;
  const started = now();
  const done = allReceived(subs, count);
  done.catch(() => {}); // awaited below; this keeps a stall from being an unhandled rejection meanwhile
  const publishMs = await publishAll(baseUrl, eventsPath, user.token, count, { rate, batch, concurrency });
  const finished = await done;
  const latencies = subs.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const problems = verify(subs, first, count);
  for (const s of subs) s.ws.close();
  return {
    name: `${n} subscriber${n === 1 ? '' : 's'}`,
    mode: `${batch === 1 ? '1 event' : `${batch} events`}/request${rate ? `, paced ${rate}/s` : `, ${concurrency} in flight`}`,
    eps: Math.round((count / (finished - started)) * 1000),
    rps: Math.round((Math.ceil(count / batch) / publishMs) * 1000),
    delivered: latencies.length,
    p50: ms(percentile(latencies, 50)),
    p99: ms(percentile(latencies, 99)),
    max: ms(latencies.at(-1) ?? 0),
    check: problems === 0 ? 'ok' : `${problems} subscriber(s) lost or reordered events`,
  };
}

async function cursorReads({ baseUrl, user, agentId, count = 2000 }) {
  const path = `/api/v1/orgs/${user.orgId}/agents/${agentId}/events`;
  const latest = (await apiCall(baseUrl, `${path}?limit=1`, { token: user.token, expect: 200 })).latest_seq;
  const rows = [];
  for (const [name, query] of [
    ['after=latest-50, limit=50', `?after=${latest - 50}&limit=50`],
    ['after=latest-200, limit=200', `?after=${latest - 200}&limit=200`],
    ['stale cursor (gap), limit=50', '?after=1&limit=50'],
  ]) {
    let next = 0;
    const latencies = [];
    const started = now();
    const worker = async () => {
      while (next++ < count) {
        const t = now();
        const res = await fetch(`${baseUrl}${path}${query}`, {
          headers: { Authorization: `Bearer ${user.token}` },
        });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`read: ${res.status}`);
        if (query.startsWith('?after=1&') && !body.gap) throw new Error('a stale cursor must report a gap');
        latencies.push(now() - t);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = now() - started;
    latencies.sort((a, b) => a - b);
    rows.push({
      name,
      rps: Math.round((latencies.length / elapsed) * 1000),
      p50: ms(percentile(latencies, 50)),
      p99: ms(percentile(latencies, 99)),
    });
  }
  return rows;
}

export async function run({ baseUrl, signUp, api: _api }) {
  const user = signUp ? await signUp('agent-hub') : await signUpAt(baseUrl, 'agent-hub');
  const agent = await apiCall(baseUrl, `/api/v1/orgs/${user.orgId}/agents`, {
    token: user.token,
    body: { name: `bench-${Date.now()}` },
    expect: 201,
  });
  // Warm the isolate, the hub and the D1 page cache.
  await scenario({ baseUrl, user, agentId: agent.id, n: 1, count: 300 });

  const rows = [];
  for (const n of SUBSCRIBERS)
    rows.push(await scenario({ baseUrl, user, agentId: agent.id, n, count: EVENTS }));
  rows.push(await scenario({ baseUrl, user, agentId: agent.id, n: 10, count: EVENTS, rate: PACED_RATE }));
  rows.push(
    await scenario({ baseUrl, user, agentId: agent.id, n: 10, count: 1000, batch: 1, concurrency: 16 }),
  );
  printTable(`Agent hub: events published to one hub while subscribers receive them`, rows, [
    ['name', 'subscribers'],
    ['mode', 'publishing'],
    ['eps', 'events/s delivered'],
    ['rps', 'requests/s'],
    ['delivered', 'deliveries'],
    ['p50', 'p50 ms'],
    ['p99', 'p99 ms'],
    ['max', 'max ms'],
    ['check', 'order & count'],
  ]);

  const reads = await cursorReads({ baseUrl, user, agentId: agent.id });
  printTable(`Cursor reads of the hub's buffer (${CONCURRENCY} in flight)`, reads, [
    ['name', 'read'],
    ['rps', 'reads/s'],
    ['p50', 'p50 ms'],
    ['p99', 'p99 ms'],
  ]);

  const ten = rows.find((r) => r.name === '10 subscribers');
  const paced = rows.find((r) => r.mode.includes('paced'));
  const met = ten.eps >= 1000 && paced.p99 < 50 && rows.every((r) => r.check === 'ok');
  console.log(
    `\nGoal >= 1,000 events/s with 10 subscribers, p99 < 50 ms, nothing lost or reordered: ${met ? 'met' : 'NOT met'} ` +
      `(${ten.eps} events/s at saturation; p99 ${paced.p99} ms at ${PACED_RATE} events/s)`,
  );
  return { rows, reads };
}

await runAlone(import.meta.url, run, { port: 8795 });
