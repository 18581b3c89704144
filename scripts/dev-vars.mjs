// Writes `.dev.vars` (git-ignored) with local settings and fresh secrets, unless it exists.
// Run alone as `npm run dev:secrets`; `npm run dev` does it first.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function writeDevVars() {
  const path = fileURLToPath(new URL('../.dev.vars', import.meta.url));
  if (existsSync(path)) return;
  const lines = [
    'ENVIRONMENT=development',
    'DEV_OUTBOX=true',
    `JWT_SECRET=dev:${randomBytes(32).toString('base64url')}`,
    `VAULT_MASTER_KEYS=1:${randomBytes(32).toString('base64')}`,
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  console.log('Generated .dev.vars with local settings and secrets');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeDevVars();
