// Issue 10 benchmark: pipeline runs through the STEPS queue under `wrangler dev` (local queues).
// (a) A 100-step DAG, 10 layers of 10 agent steps on the built-in development model (zero token
//     delay); each step waits on two steps of the layer before it. Wall time and steps/s.
// (b) The queue hop of every step attempt (step ready → step started), from the run's own event
//     log: `step.queued` → `step.started` of the same attempt (event times are the run object's
//     clock, in ms). Also what a step spends executing and what the object takes to dispatch.
//     A 20-step chain of transforms shows the hop when one step at a time is ready (the common
//     case, where a batch never fills and the consumer's batch timeout is what the step waits).
// (c) 50 runs of a 5-step diamond (agent → 3 transforms → agent) started at once: all complete,
//     every step started and succeeded exactly once (events and attempts), every agent step made
//     exactly one model call (the AI call log), with wall time and steps/s.
import { performance } from 'node:perf_hooks';
import { printTable } from './lib/load.mjs';
import { api as apiCall, runAlone } from './lib/server.mjs';

const WIDTH = 10;
const LAYERS = 10;
const CONCURRENT_RUNS = 50;
const CHAIN = 20;
/** A status poll that gets no answer in this long is abandoned and made again. */
const POLL_TIMEOUT_MS = 20_000;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (what, xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { what, n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? 0 };
};
const seconds = (ms) => (ms / 1000).toFixed(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** 10 layers of 10 agent steps; step (l, c) waits on (l-1, c) and (l-1, c+1 mod 10). */
function dag(agentId) {
  const key = (l, c) => `s${l}_${c}`;
  const steps = [];
  const edges = [];
  for (let l = 0; l < LAYERS; l++)
    for (let c = 0; c < WIDTH; c++) {
      steps.push({
        key: key(l, c),
        name: `Layer ${l}, column ${c}`,
        kind: 'agent',
        config: { agent_id: agentId, model: 'dev', prompt: `step ${l}.${c} of {{input}}` },
      });
      if (l > 0)
        edges.push(
          { from: key(l - 1, c), to: key(l, c) },
          { from: key(l - 1, (c + 1) % WIDTH), to: key(l, c) },
        );
    }
  return { steps, edges };
}

/** Every event of a run, oldest first. */
async function events(ctx, runId) {
  const all = [];
  for (let after = 0; ; ) {
    const page = await ctx.api(ctx.baseUrl, `${ctx.org}/runs/${runId}/events?after=${after}&limit=200`, {
      token: ctx.token,
      expect: 200,
    });
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.data.at(-1).seq;
  }
}

/** One status read, or null when the local server does not answer in time (it is asked again). */
async function poll(ctx, path) {
  const res = await fetch(`${ctx.baseUrl}${path}`, {
    headers: { Authorization: `Bearer ${ctx.token}` },
    signal: AbortSignal.timeout(POLL_TIMEOUT_MS),
  }).catch((err) => {
    if (err.name !== 'TimeoutError') throw err;
    ctx.slowPolls += 1;
    return null;
  });
  if (!res) return null;
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Polls until every run has ended; answers when each was first seen ended (client clock). */
async function awaitEnd(ctx, runIds, timeoutMs) {
  const ended = new Map();
  const deadline = performance.now() + timeoutMs;
  while (ended.size < runIds.length) {
    if (performance.now() > deadline)
      throw new Error(`${runIds.length - ended.size} run(s) did not end in time`);
    await sleep(100);
    const pending = runIds.filter((id) => !ended.has(id));
    // A few at a time, so polling does not crowd the machine the runs share.
    for (let i = 0; i < pending.length; i += 10)
      await Promise.all(
        pending.slice(i, i + 10).map(async (id) => {
          const run = await poll(ctx, `${ctx.org}/runs/${id}`);
          if (run && TERMINAL.has(run.status)) ended.set(id, { at: performance.now(), run });
        }),
      );
  }
  return ended;
}

/**
 * Per attempt, from a run's log: queue hop (`step.queued` → `step.started`), execution
 * (`step.started` → `step.succeeded`), and dispatch (the last parent's `step.succeeded` → the
 * child's `step.queued`: the object's decide-and-send).
 */
function timings(log, edges) {
  const at = (e) => Date.parse(e.time);
  const queued = new Map();
  const started = new Map();
  const succeeded = new Map();
  const hop = [];
  const exec = [];
  for (const e of log) {
    const k = e.payload.step_key;
    const attemptKey = `${k}#${e.payload.attempt}`;
    if (e.type === 'step.queued') queued.set(attemptKey, at(e));
    if (e.type === 'step.started') {
      started.set(attemptKey, at(e));
      if (queued.has(attemptKey)) hop.push(at(e) - queued.get(attemptKey));
    }
    if (e.type === 'step.succeeded') {
      succeeded.set(k, at(e));
      if (started.has(attemptKey)) exec.push(at(e) - started.get(attemptKey));
    }
  }
  const dispatch = [];
  const parents = new Map();
  for (const { from, to } of edges) parents.set(to, [...(parents.get(to) ?? []), from]);
  for (const [child, ps] of parents) {
    const ready = Math.max(...ps.map((p) => succeeded.get(p)));
    const q = queued.get(`${child}#1`);
    if (Number.isFinite(ready) && q !== undefined) dispatch.push(q - ready);
  }
  return { hop, exec, dispatch };
}

/** Server-side span of a run: its `run.started` to its `run.succeeded`/`failed`/`cancelled`. */
function serverSpan(log) {
  const start = log.find((e) => e.type === 'run.started');
  const end = log.find((e) => /^run\.(succeeded|failed|cancelled)$/.test(e.type));
  return start && end ? Date.parse(end.time) - Date.parse(start.time) : Number.NaN;
}

/** Every step started once and succeeded once, at attempt 1; nothing retried, dead-lettered or lost. */
function exactlyOnce(run, log) {
  const problems = [];
  const count = (type, key) => log.filter((e) => e.type === type && e.payload.step_key === key).length;
  for (const s of run.steps) {
    if (s.state !== 'succeeded') problems.push(`${s.key} is ${s.state}`);
    if (s.attempt !== 1) problems.push(`${s.key} at attempt ${s.attempt}`);
    for (const type of ['step.queued', 'step.started', 'step.succeeded'])
      if (count(type, s.key) !== 1) problems.push(`${s.key}: ${count(type, s.key)}× ${type}`);
  }
  for (const type of ['step.retrying', 'step.failed', 'step.dead_lettered', 'step.skipped'])
    if (log.some((e) => e.type === type)) problems.push(`${type} in the log`);
  return problems;
}

async function aiCalls(ctx) {
  const stats = await ctx.api(ctx.baseUrl, `${ctx.org}/ai-logs/stats`, { token: ctx.token, expect: 200 });
  return stats.totals.calls;
}

async function bigDag(ctx, agentId) {
  const graph = dag(agentId);
  const pipeline = await ctx.api(ctx.baseUrl, `${ctx.org}/pipelines`, {
    token: ctx.token,
    body: { name: 'bench-dag-100', concurrency: 'allow', ...graph },
    expect: 201,
  });
  const t0 = performance.now();
  const created = await ctx.api(ctx.baseUrl, `${ctx.org}/runs`, {
    token: ctx.token,
    body: { pipeline_id: pipeline.id, input: 'the bench' },
    expect: 201,
  });
  const ended = (await awaitEnd(ctx, [created.id], 600_000)).get(created.id);
  const log = await events(ctx, created.id);
  const problems = exactlyOnce(ended.run, log);
  return {
    status: ended.run.status,
    problems,
    wall: ended.at - t0,
    server: serverSpan(log),
    steps: graph.steps.length,
    edges: graph.edges.length,
    events: log.length,
    ...timings(log, graph.edges),
  };
}

/** A chain of transforms: one step ready at a time. */
async function chain(ctx) {
  const steps = Array.from({ length: CHAIN }, (_, i) => ({
    key: `c${i}`,
    name: `Link ${i}`,
    kind: 'transform',
    config: { template: i === 0 ? '{{input}}' : `{{steps.c${i - 1}.output}}+` },
  }));
  const edges = steps.slice(1).map((s, i) => ({ from: steps[i].key, to: s.key }));
  const pipeline = await ctx.api(ctx.baseUrl, `${ctx.org}/pipelines`, {
    token: ctx.token,
    body: { name: 'bench-chain', concurrency: 'allow', steps, edges },
    expect: 201,
  });
  const t0 = performance.now();
  const created = await ctx.api(ctx.baseUrl, `${ctx.org}/runs`, {
    token: ctx.token,
    body: { pipeline_id: pipeline.id, input: 'x' },
    expect: 201,
  });
  const ended = (await awaitEnd(ctx, [created.id], 600_000)).get(created.id);
  const log = await events(ctx, created.id);
  return {
    status: ended.run.status,
    problems: exactlyOnce(ended.run, log),
    wall: ended.at - t0,
    ...timings(log, edges),
  };
}

/** The 5-step diamond, built one step and one edge at a time through the pipeline's graph routes. */
async function diamond(ctx, agentId) {
  const pipeline = await ctx.api(ctx.baseUrl, `${ctx.org}/pipelines`, {
    token: ctx.token,
    body: { name: 'bench-diamond-5', concurrency: 'allow' },
    expect: 201,
  });
  const base = `${ctx.org}/pipelines/${pipeline.id}`;
  const agent = (key, prompt) => ({
    key,
    name: key,
    kind: 'agent',
    config: { agent_id: agentId, model: 'dev', prompt },
  });
  const transform = (key, template) => ({ key, name: key, kind: 'transform', config: { template } });
  const steps = [
    agent('plan', 'plan {{input}}'),
    transform('left', 'left: {{steps.plan.output}}'),
    transform('middle', 'middle: {{steps.plan.output}}'),
    transform('right', 'right: {{steps.plan.output}}'),
    agent('join', 'join {{steps.left.output}} / {{steps.middle.output}} / {{steps.right.output}}'),
  ];
  const edges = [
    ['plan', 'left'],
    ['plan', 'middle'],
    ['plan', 'right'],
    ['left', 'join'],
    ['middle', 'join'],
    ['right', 'join'],
  ].map(([from, to]) => ({ from, to }));
  for (const step of steps)
    await ctx.api(ctx.baseUrl, `${base}/steps`, { token: ctx.token, body: step, expect: 201 });
  for (const edge of edges)
    await ctx.api(ctx.baseUrl, `${base}/edges`, { token: ctx.token, body: edge, expect: 201 });
  return { pipelineId: pipeline.id, steps, edges };
}

async function concurrentRuns(ctx, agentId) {
  const { pipelineId, steps, edges } = await diamond(ctx, agentId);
  const callsBefore = await aiCalls(ctx);
  const t0 = performance.now();
  const created = await Promise.all(
    Array.from({ length: CONCURRENT_RUNS }, (_, i) =>
      ctx.api(ctx.baseUrl, `${ctx.org}/runs`, {
        token: ctx.token,
        body: { pipeline_id: pipelineId, input: `run ${i}` },
        expect: 201,
      }),
    ),
  );
  const ids = created.map((r) => r.id);
  const ended = await awaitEnd(ctx, ids, 600_000);
  const wall = Math.max(...[...ended.values()].map((e) => e.at)) - t0;
  const problems = [];
  const hop = [];
  const exec = [];
  const dispatch = [];
  const spans = [];
  for (const id of ids) {
    const { run } = ended.get(id);
    const log = await events(ctx, id);
    problems.push(...exactlyOnce(run, log).map((p) => `${id}: ${p}`));
    if (run.status !== 'succeeded') problems.push(`${id}: ${run.status}`);
    const t = timings(log, edges);
    hop.push(...t.hop);
    exec.push(...t.exec);
    dispatch.push(...t.dispatch);
    spans.push(serverSpan(log));
  }
  // Call log rows are written after each model call returns; give the last ones a moment.
  const agentSteps = CONCURRENT_RUNS * steps.filter((s) => s.kind === 'agent').length;
  let calls = 0;
  for (let i = 0; i < 20 && calls < agentSteps; i++) {
    calls = (await aiCalls(ctx)) - callsBefore;
    if (calls < agentSteps) await sleep(250);
  }
  if (calls !== agentSteps) problems.push(`${calls} model calls logged for ${agentSteps} agent steps`);
  return {
    wall,
    steps: CONCURRENT_RUNS * steps.length,
    problems,
    hop,
    exec,
    dispatch,
    spans,
    calls,
    agentSteps,
  };
}

export async function run({ baseUrl, signUp, api = apiCall }) {
  const user = await signUp('pipelines-bench');
  const ctx = { baseUrl, api, token: user.token, org: `/api/v1/orgs/${user.orgId}`, slowPolls: 0 };
  const agent = await api(baseUrl, `${ctx.org}/agents`, {
    token: user.token,
    body: { name: 'bench-agent' },
    expect: 201,
  });

  const a = await bigDag(ctx, agent.id);
  const b = await chain(ctx);
  const c = await concurrentRuns(ctx, agent.id);

  printTable(
    'Pipeline runs end to end (development model, zero token delay; wall = POST /runs → run seen ended)',
    [
      {
        what: `(a) 1 run, ${a.steps}-step DAG, width ${WIDTH}, ${a.edges} edges, agent steps`,
        status: a.status,
        wall: seconds(a.wall),
        server: seconds(a.server),
        sps: (a.steps / (a.wall / 1000)).toFixed(1),
      },
      {
        what: `(b) 1 run, ${CHAIN}-step chain of transform steps`,
        status: b.status,
        wall: seconds(b.wall),
        server: '',
        sps: (CHAIN / (b.wall / 1000)).toFixed(1),
      },
      {
        what: `(c) ${CONCURRENT_RUNS} runs at once, 5-step diamond (2 agent + 3 transform)`,
        status: c.problems.length === 0 ? 'all succeeded' : 'PROBLEMS',
        wall: seconds(c.wall),
        server: `${seconds(
          percentile(
            [...c.spans].sort((x, y) => x - y),
            50,
          ),
        )} p50 / run`,
        sps: (c.steps / (c.wall / 1000)).toFixed(1),
      },
    ],
    [
      ['what', 'scenario'],
      ['status', 'status'],
      ['wall', 'wall s'],
      ['server', 'run.started → run end, s'],
      ['sps', 'steps/s'],
    ],
  );
  const columns = [
    ['what', 'per step attempt (from the run event log, ms)'],
    ['n', 'samples'],
    ['p50', 'p50 ms'],
    ['p99', 'p99 ms'],
    ['max', 'max ms'],
  ];
  const perStep = (title, t) =>
    printTable(
      `(b) Queue hop and the rest of a step, ${title}`,
      [
        summary('queue hop: step.queued → step.started', t.hop),
        summary('execution: step.started → step.succeeded', t.exec),
        summary('dispatch: last parent succeeded → step.queued', t.dispatch),
      ],
      columns,
    );
  perStep('100-step DAG', a);
  perStep(`${CHAIN}-step chain (one step ready at a time)`, b);
  perStep(`${CONCURRENT_RUNS} concurrent diamond runs`, c);
  console.log(
    `\n(a) exactly once: ${a.problems.length === 0 ? 'yes' : a.problems.slice(0, 5).join('; ')} (${a.events} events)`,
  );
  console.log(
    `(c) ${c.steps} steps: every step queued, started and succeeded exactly once at attempt 1: ${
      c.problems.length === 0 ? 'yes' : `NO: ${c.problems.slice(0, 5).join('; ')}`
    }; model calls logged ${c.calls} for ${c.agentSteps} agent steps`,
  );
  if (b.problems.length > 0) console.log(`chain: ${b.problems.slice(0, 5).join('; ')}`);
  if (ctx.slowPolls > 0)
    console.log(
      `status polls the local server left unanswered for ${POLL_TIMEOUT_MS / 1000} s (asked again): ${ctx.slowPolls}`,
    );
  return { a, b, c };
}

await runAlone(import.meta.url, run, { port: 8799 });
