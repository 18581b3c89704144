// Issue 11 benchmark: one chat session, 20 participants on WebSockets, the development model
// streaming replies. Frame delivery latency is measured from the object's store-and-send (each
// frame's `time`) to its arrival at each participant; the added first-frame time is what the
// session adds between storing the user message and storing the reply's first `{content}` frame
// (gateway resolution, budget check and the model's first token included: an upper bound).
// Targets: p99 delivery under 50 ms locally; added first-frame time under 10 ms p50.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { printTable } from './lib/load.mjs';
import { api as apiCall, signUp as signUpAt, startServer } from './lib/server.mjs';

const PARTICIPANTS = 20;
const MESSAGES = 20;
const WORDS = 40;

const wallNow = () => performance.timeOrigin + performance.now();
const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v) => Math.round(v * 10) / 10;

function participant(baseUrl, path, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    const p = { ws, latencies: [], frames: 0, messageAt: new Map(), firstFrameAt: new Map() };
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.op === 'ready') return resolve(p);
      if (f.op !== 'event') return;
      const e = f.event;
      p.latencies.push(wallNow() - Date.parse(e.time));
      if (e.type === 'message') p.messageAt.set(e.message.reply_id, Date.parse(e.time));
      if (e.type === 'frame') {
        p.frames += 1;
        if ('content' in e.frame && !p.firstFrameAt.has(e.reply_id))
          p.firstFrameAt.set(e.reply_id, Date.parse(e.time));
      }
    });
    ws.on('error', reject);
  });
}

export async function run({ baseUrl, signUp, api }) {
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
  const people = [];
  for (let i = 0; i < PARTICIPANTS; i++)
    people.push(await participant(baseUrl, `${base}/stream`, owner.token));
  const senderFirst = [];
  const words = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');
  for (let i = 0; i < MESSAGES; i++) {
    const sent = wallNow();
    const res = await fetch(`${baseUrl}${base}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: words }),
    });
    const reader = res.body.getReader();
    let first = true;
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (first) {
        senderFirst.push(wallNow() - sent);
        first = false;
      }
      text += new TextDecoder().decode(value);
    }
    if (!text.includes('"done":true')) throw new Error(`reply ${i} did not finish: ${text.slice(-200)}`);
  }
  // Participants have everything once each has seen every frame of the last reply.
  const expected = people[0].frames;
  await new Promise((r) => setTimeout(r, 200));
  const latencies = people.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const added = [...people[0].firstFrameAt]
    .map(([reply, at]) => at - people[0].messageAt.get(reply))
    .sort((a, b) => a - b);
  senderFirst.sort((a, b) => a - b);
  const lost = people.filter((p) => p.frames !== expected).length;
  for (const p of people) p.ws.close();
  printTable(
    `Chat: 1 session, ${PARTICIPANTS} WebSocket participants, ${MESSAGES} replies of ${WORDS + 2} words (dev model)`,
    [
      {
        what: 'frame delivery (object send → participant)',
        n: latencies.length,
        p50: ms(percentile(latencies, 50)),
        p99: ms(percentile(latencies, 99)),
      },
      {
        what: 'added first-frame time (message stored → first {content} stored)',
        n: added.length,
        p50: ms(percentile(added, 50)),
        p99: ms(percentile(added, 99)),
      },
      {
        what: 'sender: POST → first bytes of the reply stream',
        n: senderFirst.length,
        p50: ms(percentile(senderFirst, 50)),
        p99: ms(percentile(senderFirst, 99)),
      },
    ],
    [
      ['what', 'measure'],
      ['n', 'samples'],
      ['p50', 'p50 ms'],
      ['p99', 'p99 ms'],
    ],
  );
  console.log(`participants with a different frame count than the first: ${lost}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startServer({ port: Number(process.env.BENCH_PORT ?? 8799) });
  try {
    await run({ baseUrl: server.baseUrl, signUp: (label) => signUpAt(server.baseUrl, label), api: apiCall });
  } finally {
    await server.stop();
  }
}
