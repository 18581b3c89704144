// Issue 11 benchmark: one chat session, 20 participants on WebSockets, the development model
// streaming replies. Frame delivery latency is measured from the object's send (each frame's
// `time`) to its arrival at each participant. The added first-frame time is what Foreman adds to
// the model's own time to first token: from the sender's POST to the first `{content}` frame it
// receives, less the model's time to first token as the gateway logged it (`ttft_ms` of the AI
// call log). The part of it spent in the session's object (user message stored → first
// `{content}` frame sent, the model's first token included) is shown beside it, as is the Worker's
// (its `Server-Timing` total) and the local server's cost for any request (`GET /health`).
// Messages are sent one at a time, each once every participant has the previous reply. The
// participants run on a thread of their own, so their sockets' frames are not parsed on the thread
// that times the sender's stream (in a real session they are other machines).
// Where the Worker's own socket is found (Linux), the measured messages alternate between it and
// wrangler dev's proxy, so both figures come from the same minutes of the machine: the first is
// what Foreman adds, the second adds the hop that only local development has.
// Targets: p99 delivery under 50 ms locally; added first-frame time under 10 ms p50.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { printTable } from './lib/load.mjs';
import { runAlone } from './lib/server.mjs';

const PARTICIPANTS = 20;
const WARMUP = 10;
const MESSAGES = 50;
const WORDS = 40;

const wallNow = () => performance.timeOrigin + performance.now();
const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v) => Math.round(v * 10) / 10;
/** A table row: how many samples, and their p50 and p99 (`samples` sorted). */
const row = (what, samples) => ({
  what,
  n: samples.length,
  p50: ms(percentile(samples, 50)),
  p99: ms(percentile(samples, 99)),
});

/**
 * The sender's client: Node's `http` on one kept-alive connection, the body seen as it arrives.
 * `fetch` (undici) spends about 1 ms more of its own per request (against `GET /health` on this
 * server): the client's time, not Foreman's.
 */
const connection = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(url, { method = 'GET', headers = {}, body } = {}, onChunk = () => {}) {
  return new Promise((resolve, reject) => {
    const sized = body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) };
    const req = http.request(url, { method, headers: sized, agent: connection }, (res) => {
      res.setEncoding('utf8');
      res.on('data', onChunk);
      res.on('end', () => resolve(res));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The participants' thread (see `lib/participants.mjs`); its frame counts are read as they grow. */
async function participants(url, token) {
  const counts = new SharedArrayBuffer(4 * PARTICIPANTS);
  const worker = new Worker(new URL('./lib/participants.mjs', import.meta.url), {
    workerData: { url, token, count: PARTICIPANTS, counts },
  });
  const next = () =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await next();
  const frames = new Int32Array(counts);
  return {
    /** How many reply frames each participant has had so far. */
    frames: () => Array.from(frames, (_, i) => Atomics.load(frames, i)),
    ask: async (op) => {
      const answer = next();
      worker.postMessage(op);
      return answer;
    },
    close: () => worker.postMessage('close'),
  };
}

export async function run({ baseUrl, workerUrl, signUp, api }) {
  const owner = await signUp('chat-bench');
  const agent = await api(baseUrl, `/api/v1/orgs/${owner.orgId}/agents`, {
    token: owner.token,
    body: { name: 'bench-agent' },
    expect: 201,
  });
  const session = await api(baseUrl, `/api/v1/orgs/${owner.orgId}/chat/sessions`, {
    token: owner.token,
    body: { agent_id: agent.id, title: 'bench' },
    expect: 201,
  });
  const base = `/api/v1/orgs/${owner.orgId}/chat/sessions/${session.id}`;
  const people = await participants(`${baseUrl.replace(/^http/, 'ws')}${base}/stream`, owner.token);
  // The ways the sender's requests go, each with the figures of the messages sent that way.
  const ways = [
    { url: baseUrl, name: workerUrl === baseUrl ? "the Worker's own socket" : "wrangler dev's proxy" },
    ...(workerUrl && workerUrl !== baseUrl ? [{ url: workerUrl, name: "the Worker's own socket" }] : []),
  ].map((w) => ({ ...w, first: [], content: [], added: [], health: [] }));
  const inWorker = [];
  let senderFrames = 0;
  const words = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');
  /** Until every participant has every frame the sender got (a second at most). */
  async function caughtUp() {
    for (let t = 0; t < 100 && people.frames().some((n) => n < senderFrames); t++)
      await new Promise((r) => setTimeout(r, 10));
  }
  /** One message and its whole reply at the sender, sent `way`; its figures kept when `measured`. */
  async function send(way, measured) {
    // Each message is sent once every participant has the previous reply, as in a conversation:
    // it is measured on its own, not queued behind the last reply's fan-out.
    await caughtUp();
    let firstBytes;
    let firstContent;
    let text = '';
    const sent = wallNow();
    const res = await request(
      `${way.url}${base}/messages`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: words }),
      },
      (chunk) => {
        firstBytes ??= wallNow() - sent;
        text += chunk;
        if (firstContent === undefined && text.includes('data: {"content"')) firstContent = wallNow() - sent;
      },
    );
    const worker = Number(/total;dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '')?.[1] ?? Number.NaN);
    if (!text.includes('"done":true')) throw new Error(`a reply did not finish: ${text.slice(-200)}`);
    senderFrames += text.match(/^id: /gm)?.length ?? 0;
    if (!measured) return;
    inWorker.push(worker);
    way.first.push(firstBytes);
    way.content.push(firstContent);
  }
  // Warm-up: the code paths of a send run hot before anything is measured, as in a busy isolate.
  for (let i = 0; i < WARMUP; i++) await send(ways[i % ways.length], false);
  await caughtUp();
  await people.ask('reset');
  const sentBy = [];
  for (let i = 0; i < MESSAGES * ways.length; i++) {
    sentBy.push(ways[i % ways.length]);
    await send(sentBy.at(-1), true);
  }
  // Every frame the sender got reaches each participant too (sockets may still be a little
  // behind the sender's stream when it ends).
  await caughtUp();
  const expected = senderFrames;
  const collected = await people.ask('collect');
  const latencies = collected.latencies.sort((a, b) => a - b);
  const inObject = collected.inObject.sort((a, b) => a - b);
  // The replies ran one after another, so the calls in time order pair with them (the last
  // MESSAGES with the measured ones). The log rows are written after each stream ends, in the
  // background: wait for all of them.
  const sent = WARMUP + MESSAGES * ways.length;
  let ttft = [];
  for (let tries = 0; ttft.length < sent && tries < 50; tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, 100));
    const calls = [];
    for (let cursor = ''; ; ) {
      const page = await api(baseUrl, `/api/v1/orgs/${owner.orgId}/ai-logs?purpose=chat&limit=100${cursor}`, {
        token: owner.token,
      });
      calls.push(...page.data);
      if (!page.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    ttft = calls
      .filter((c) => c.chat_session_id === session.id && c.status === 'ok')
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .map((c) => c.ttft_ms ?? 0);
  }
  if (ttft.length !== sent) throw new Error(`expected ${sent} logged model calls, found ${ttft.length}`);
  ttft = ttft.slice(WARMUP);
  for (const [i, way] of sentBy.entries()) way.added.push(way.content[way.added.length] - ttft[i]);
  const modelFirst = [...ttft].sort((a, b) => a - b);
  const lost = people.frames().filter((n) => n !== expected).length;
  // The local server's own cost for any request (wrangler dev's proxy in front of the Worker), in
  // the same run, for reading the figures above.
  for (let i = 0; i < 100 * ways.length; i++) {
    const way = ways[i % ways.length];
    const t0 = wallNow();
    await request(`${way.url}/health`);
    way.health.push(wallNow() - t0);
  }
  const sorted = (v) => [...v].sort((a, b) => a - b);
  people.close();
  connection.destroy();
  printTable(
    `Chat: 1 session, ${PARTICIPANTS} WebSocket participants, ${MESSAGES * ways.length} replies of ${WORDS + 2} words (dev model)`,
    [
      row('frame delivery (object send → participant)', latencies),
      ...ways.map((w) =>
        row(
          `added first-frame time, via ${w.name} (POST → first {content}, less model TTFT)`,
          sorted(w.added),
        ),
      ),
      row('  of which in the Worker (request in → response out: Server-Timing total)', sorted(inWorker)),
      row('  of which in the object (message stored → first {content} sent)', inObject),
      row('  model TTFT as logged by the gateway (not added)', modelFirst),
      ...ways.map((w) =>
        row(`sender: POST → first bytes of the reply stream, via ${w.name}`, sorted(w.first)),
      ),
      ...ways.map((w) =>
        row(`local server: GET /health round trip, via ${w.name} (any request pays it)`, sorted(w.health)),
      ),
    ],
    [
      ['what', 'measure'],
      ['n', 'samples'],
      ['p50', 'p50 ms'],
      ['p99', 'p99 ms'],
    ],
  );
  console.log(`participants that missed a frame the sender got: ${lost}`);
}

await runAlone(import.meta.url, run, { port: 8799 });
