// `npm run bench [-- suite…]`: starts the local server once and runs the chosen suites against it.
import { existsSync } from 'node:fs';
import { api, signUp, startServer } from './lib/server.mjs';

const SUITES = ['platform', 'round-trips', 'agent-hub', 'jobs', 'graph', 'models', 'chat', 'pipelines'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = (wanted.length > 0 ? wanted : SUITES).filter((s) =>
  existsSync(new URL(`./${s}.mjs`, import.meta.url)),
);
const unknown = wanted.filter((s) => !SUITES.includes(s));
if (unknown.length > 0) {
  console.error(`Unknown suite(s): ${unknown.join(', ')}. Choose from: ${SUITES.join(', ')}`);
  process.exit(2);
}

// A suite may need Worker vars of its own (`serverVars`); the one server gets them all.
const modules = await Promise.all(suites.map((suite) => import(`./${suite}.mjs`)));
const server = await startServer({ vars: Object.assign({}, ...modules.map((m) => m.serverVars ?? {})) });
console.log(`Server ready at ${server.baseUrl}; suites: ${suites.join(', ')}`);
try {
  for (const mod of modules) {
    await mod.run({
      baseUrl: server.baseUrl,
      workerUrl: server.workerUrl,
      signUp: (label) => signUp(server.baseUrl, label),
      api,
    });
  }
} finally {
  await server.stop();
}
