// Issue 9 benchmark: the model gateway's overhead. A fake OpenAI-compatible provider runs on
// loopback; the same streamed request goes to it directly and through Foreman's OpenAI-compatible
// face (API key, model resolution, budget check, provider call, AI call log after the response).
// Figures: time to first token p50/p99 both ways and the difference, and logged calls/s. Part of
// the difference is the local server's own cost for any request (wrangler dev's proxy in front of
// the Worker): a trivial request each way (`GET /health` through it, `GET /v1/models` of the fake)
// measures it, and the figure beyond it is shown as well.
// Goal: under 5 ms added time to first token at p50.
import { performance } from 'node:perf_hooks';
import { startFakeOpenAI } from '../test/support/fake-openai-server.mjs';
import { load, printTable } from './lib/load.mjs';
import { api as apiCall, runAlone, signUp as signUpAt } from './lib/server.mjs';

/** The local server must reach the loopback fake provider (development only, never in production). */
export const serverVars = { ALLOW_PRIVATE_URLS: 'true' };

const SAMPLES = 300;
const WARMUP = 30;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (ms) => Math.round(ms * 100) / 100;

/** Milliseconds from sending a streamed request to the first content delta, then drains the stream. */
async function timeToFirstToken(url, key, model) {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model,
      stream: true,
      messages: [{ role: 'user', content: 'time to first token' }],
    }),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let seen = '';
  let first;
  for await (const bytes of res.body) {
    seen += decoder.decode(bytes, { stream: true });
    first ??= /"content":"[^"]/.test(seen) ? performance.now() - t0 : undefined;
  }
  if (first === undefined || !seen.includes('data: [DONE]')) throw new Error(`${url}: no content in ${seen}`);
  return first;
}

/** Milliseconds for a trivial GET, body read. */
async function roundTrip(url, headers = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

/** Registers the fake as a provider connection and one model on it; answers the model's name. */
async function registerFake({ baseUrl, api, user, fake }) {
  const org = `/api/v1/orgs/${user.orgId}`;
  const provider = await api(baseUrl, `${org}/providers`, {
    token: user.token,
    body: { name: 'bench-fake', kind: 'openai_compatible', base_url: fake.url, api_key: fake.key },
    expect: 201,
  });
  const model = await api(baseUrl, `${org}/models`, {
    token: user.token,
    body: { name: 'bench-fake-echo', provider_id: provider.id, provider_model_id: 'fake-echo' },
    expect: 201,
  });
  return model.name;
}

export async function run({ baseUrl, signUp, api = apiCall, duration = 8 }) {
  const fake = await startFakeOpenAI();
  try {
    const user = await (signUp ?? ((label) => signUpAt(baseUrl, label)))('models');
    const model = await registerFake({ baseUrl, api, user, fake });
    const { key } = await api(baseUrl, `/api/v1/orgs/${user.orgId}/api-keys`, {
      token: user.token,
      body: { name: 'bench-openai', scopes: ['models:call'] },
      expect: 201,
    });
    const direct = () => timeToFirstToken(`${fake.url}/chat/completions`, fake.key, 'fake-echo');
    const faceUrl = `${baseUrl}/api/v1/orgs/${user.orgId}/openai/v1/chat/completions`;
    const through = () => timeToFirstToken(faceUrl, key, model);

    for (let i = 0; i < WARMUP; i++) {
      await direct();
      await through();
    }
    // Interleaved, one at a time: both paths see the same machine load.
    const times = { direct: [], through: [], fakeGet: [], serverGet: [] };
    for (let i = 0; i < SAMPLES; i++) {
      times.direct.push(await direct());
      times.through.push(await through());
      times.fakeGet.push(await roundTrip(`${fake.url}/models`, { Authorization: `Bearer ${fake.key}` }));
      times.serverGet.push(await roundTrip(`${baseUrl}/health`));
    }
    const row = (name, xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return { name, p50: round(pct(s, 50)), p99: round(pct(s, 99)) };
    };
    const d = row('fake provider, directly', times.direct);
    const t = row('through /openai/v1/chat/completions', times.through);
    const added = { name: 'added by Foreman', p50: round(t.p50 - d.p50), p99: round(t.p99 - d.p99) };
    const fg = row('GET /v1/models of the fake, directly', times.fakeGet);
    const sg = row('GET /health through the local server', times.serverGet);
    const server = {
      name: '  the local server’s own cost',
      p50: round(sg.p50 - fg.p50),
      p99: round(sg.p99 - fg.p99),
    };
    const beyond = {
      name: 'added by Foreman beyond the local server’s own cost',
      p50: round(added.p50 - server.p50),
      p99: round(added.p99 - server.p99),
    };
    printTable(
      `Time to first token, ${SAMPLES} streamed calls each way (ms)`,
      [d, t, added, fg, sg, server, beyond],
      [
        ['name', 'path'],
        ['p50', 'p50 ms'],
        ['p99', 'p99 ms'],
      ],
    );

    const before = await logCount({ baseUrl, api, user });
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'throughput' }] });
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const rows = [];
    for (const connections of [1, 16]) {
      const r = await load({ url: faceUrl, method: 'POST', headers, body, connections, duration });
      rows.push({ name: `${connections} connection(s)`, ...r, rps: Math.round(r.rps) });
    }
    // Logs are written after each response; give the last ones a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const logged = (await logCount({ baseUrl, api, user })) - before;
    const answered = rows.reduce((n, r) => n + r.total - r.errors, 0);
    printTable('Logged calls through the OpenAI-compatible face (non-streaming, autocannon)', rows, [
      ['name', 'load'],
      ['rps', 'calls/s'],
      ['p50', 'p50 ms'],
      ['p99', 'p99 ms'],
      ['total', 'calls'],
      ['errors', 'errors'],
    ]);
    console.log(`\nAI call log rows written: ${logged} for ${answered} answered calls`);
    console.log(
      `Goal: under 5 ms added time to first token at p50: ${added.p50 < 5 ? 'met' : 'NOT met'} (${added.p50} ms; ` +
        `${beyond.p50} ms beyond the local server’s own cost of ${server.p50} ms per request)`,
    );
    return { ttft: [d, t, added, fg, sg, server, beyond], throughput: rows, logged, answered };
  } finally {
    await fake.close();
  }
}

/** How many AI call log rows the organization has. */
async function logCount({ baseUrl, api, user }) {
  const stats = await api(baseUrl, `/api/v1/orgs/${user.orgId}/ai-logs/stats`, {
    token: user.token,
    expect: 200,
  });
  return stats.totals.calls;
}

await runAlone(import.meta.url, run, { port: 8802, vars: serverVars });
