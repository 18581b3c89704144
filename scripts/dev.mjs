#!/usr/bin/env node
// `npm run dev`: the local server as deployed, cron included.
//   1. writes `.dev.vars` with local settings and fresh secrets if it is missing (never committed);
//   2. applies the D1 migrations to the local database without asking;
//   3. starts `wrangler dev` (extra arguments are passed on: `npm run dev -- --port 8815`);
//   4. runs the scheduled handler for each cron trigger of wrangler.toml when it is due (today
//      `* * * * *`: every minute), as Cloudflare does when deployed, since `wrangler dev` never
//      fires cron triggers by itself.
// Ctrl-C (or SIGTERM) stops wrangler and this runner.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cronMatcher, readCrons } from './cron.mjs';
import { writeDevVars } from './dev-vars.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerBin = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const DEFAULT_PORT = '8787';

/** Runs wrangler to completion. Its stdin is not a terminal, so it takes its defaults instead of asking. */
function wrangler(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(' ')} failed (${signal ?? code})`)),
    );
  });
}

/** The value of `--port`/`--port=` among wrangler's arguments, else wrangler's default. */
function portOf(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') return args[i + 1] ?? DEFAULT_PORT;
    if (args[i].startsWith('--port=')) return args[i].slice('--port='.length);
  }
  return DEFAULT_PORT;
}

/**
 * At the start of every minute, runs the scheduled handler for each cron that is due, through the
 * `/__scheduled` route that `wrangler dev --test-scheduled` adds to the local Worker (a deployed
 * Worker never has it). wrangler logs each run like any request.
 */
function runCrons(port, crons) {
  const due = crons.map((cron) => ({ cron, matches: cronMatcher(cron) }));
  let timer;
  const tick = async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    timer = setTimeout(tick, minute + 60_000 - Date.now());
    for (const { cron, matches } of due) {
      if (!matches(new Date(minute))) continue;
      try {
        const res = await fetch(`http://localhost:${port}/__scheduled?${new URLSearchParams({ cron })}`);
        if (!res.ok)
          console.error(`[dev] scheduled handler for "${cron}" answered ${res.status}: ${await res.text()}`);
      } catch {
        // The server is not listening (yet, or any more): the next minute tries again.
      }
    }
  };
  timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
  return () => clearTimeout(timer);
}

async function main() {
  const args = process.argv.slice(2);
  writeDevVars();
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);

  const hasPort = args.some((a) => a === '--port' || a.startsWith('--port='));
  const devArgs = ['dev', '--test-scheduled', ...(hasPort ? [] : ['--port', DEFAULT_PORT]), ...args];
  const dev = spawn(process.execPath, [wranglerBin, ...devArgs], { cwd: root, stdio: 'inherit' });
  const crons = readCrons(`${root}/wrangler.toml`);
  const stopCrons = runCrons(portOf(args), crons);
  console.log(
    `[dev] the scheduled handler runs when a cron trigger is due: ${crons.map((c) => `"${c}"`).join(', ')}`,
  );

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopCrons();
      dev.kill(signal);
    });
  }
  dev.on('exit', (code, signal) => {
    stopCrons();
    process.exitCode = code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
  });
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
