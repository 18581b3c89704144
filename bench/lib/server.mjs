// Starts the Worker with `wrangler dev` on local D1 in a throwaway state directory, as a newcomer
// would, and stops it when the benchmark ends.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const wrangler = join(process.cwd(), 'node_modules', '.bin', 'wrangler');

/**
 * Benchmarks run without wrangler's DevTools proxy unless `BENCH_INSPECTOR=on`. With it, the
 * runtime reports every subrequest (each D1 query, each outbound fetch) to the proxy, which
 * forwards each message to the wrangler process as a formatted debug log: about 3 ms of CPU per D1
 * query, on the same cores, that a deployed Worker never pays. wrangler has no flag for this; it
 * skips the proxy inside a VS Code debug terminal, which is what this tells it.
 */
const inspectorOff = () => (process.env.BENCH_INSPECTOR === 'on' ? {} : { VSCODE_INSPECTOR_OPTIONS: 'off' });

/**
 * `BENCH_PORT` (the inspector takes it + 100) overrides `port`, for machines shared by several runs.
 * `vars` are extra Worker vars a suite needs (e.g. to reach a local fake provider).
 */
export async function startServer({ port: preferred = 8799, vars: extra = {} } = {}) {
  const port = Number(process.env.BENCH_PORT ?? preferred);
  const state = mkdtempSync(join(tmpdir(), 'foreman-bench-'));
  const migrate = spawnSync(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const vars = [
    `JWT_SECRET:bench:${randomBytes(32).toString('base64url')}`,
    `VAULT_MASTER_KEYS:1:${randomBytes(32).toString('base64')}`,
    ...Object.entries(extra).map(([name, value]) => `${name}:${value}`),
    // The chat suite streams replies from the built-in development model.
    'DEV_MODEL:true',
  ];
  const child = spawn(
    wrangler,
    [
      'dev',
      '--port',
      String(port),
      '--inspector-port',
      String(port + 100),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      state,
      ...vars.flatMap((v) => ['--var', v]),
    ],
    {
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', ...inspectorOff() },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`wrangler dev did not become ready:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  const wanted = process.env.BENCH_DIRECT === 'on';
  // Found also when not asked for: a suite may measure both ways (see `chat.mjs`).
  const direct = await workerSocket(child.pid, [port, port + 100]).catch((err) => {
    if (wanted) throw err;
    return null;
  });
  if (wanted)
    console.log(
      `BENCH_DIRECT=on: talking to the Worker's own socket (${direct}), not through wrangler dev's proxy`,
    );

  return {
    baseUrl: wanted ? direct : baseUrl,
    /** The Worker's own socket, past wrangler dev's proxy (null where it was not found). */
    workerUrl: direct,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/**
 * (Linux) The address of the Worker's own socket, the one wrangler dev's proxy forwards each
 * request to: what `BENCH_DIRECT=on` talks to. That proxy (which holds requests while the Worker
 * reloads) exists only in development and costs every request an extra hop; without it, the
 * figures are closer to what Foreman itself adds. Found among the ports the wrangler process's
 * descendants listen on, as the one that answers `/health`.
 */
async function workerSocket(rootPid, skip) {
  const pids = new Set([String(rootPid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid=']).toString().trim().split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/);
      if (pids.has(ppid) && !pids.has(pid)) {
        pids.add(pid);
        grew = true;
      }
    }
  }
  const ports = execFileSync('ss', ['-ltnpH'])
    .toString()
    .split('\n')
    .filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1])))
    .map((l) => Number(/:(\d+)\s/.exec(l)?.[1]))
    .filter((p) => p && !skip.includes(p));
  for (const p of ports) {
    try {
      const res = await fetch(`http://127.0.0.1:${p}/health`);
      if (res.ok && (await res.text()).includes('"ok"')) return `http://127.0.0.1:${p}`;
    } catch {}
  }
  throw new Error(`BENCH_DIRECT=on: no socket of the Worker found among ports ${ports.join(', ')}`);
}

/** JSON call against the running server; throws on an unexpected status. */
export async function api(baseUrl, path, { method, token, body, expect: want } = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: method ?? (body !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (want !== undefined && res.status !== want)
    throw new Error(`${method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Registers a fresh user and signs in; returns the access token and personal organization. */
export async function signUp(baseUrl, label = 'bench') {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'bench-password-123';
  const user = await api(baseUrl, '/api/v1/auth/register', {
    body: { email, password, name: label },
    expect: 201,
  });
  const tokens = await api(baseUrl, '/api/v1/auth/login', { body: { email, password }, expect: 200 });
  return { token: tokens.access_token, orgId: user.personal_org_id, userId: user.id };
}

/**
 * Runs a suite on its own (`node bench/<suite>.mjs`) when `moduleUrl` is the script started: a
 * server on `port` (see `startServer`) with the suite's `vars`, and the arguments `bench/run.mjs`
 * gives every suite (`workerUrl`: the Worker's own socket, or null).
 */
export async function runAlone(moduleUrl, run, { port, vars } = {}) {
  if (moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const server = await startServer({ port, vars });
  try {
    await run({
      baseUrl: server.baseUrl,
      workerUrl: server.workerUrl,
      signUp: (label) => signUp(server.baseUrl, label),
      api,
    });
  } finally {
    await server.stop();
  }
}
