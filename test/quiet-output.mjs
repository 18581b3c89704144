// Node-side helpers for vitest.config.ts (the type-checked code is Workers code, without Node types).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Keeps the test output to what a person reads: the results, and what a test did not expect.
 * - The integration reads wrangler.toml through wrangler, which announces `.dev.vars` once per test
 *   file; the test bindings set every value `.dev.vars` holds, so only wrangler's warnings are kept.
 * - Some packages (the MCP SDK) publish source maps that point to sources they do not publish, and
 *   Vite warns about each such file; those maps lead nowhere, so such files are loaded without them.
 * @returns {import('vitest/config').Plugin}
 */
export function quietTestOutput() {
  process.env.WRANGLER_LOG ??= 'warn';
  return {
    name: 'foreman:quiet-test-output',
    enforce: 'pre',
    load(id) {
      if (!id.includes('/node_modules/') || !/\.[cm]?js$/.test(id)) return null;
      const code = readFileSync(id, 'utf8');
      const link = /\n\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/.exec(code);
      if (!link) return null;
      const mapPath = resolve(dirname(id), link[1]);
      if (!existsSync(mapPath)) return code.slice(0, link.index);
      const map = JSON.parse(readFileSync(mapPath, 'utf8'));
      const root = resolve(dirname(mapPath), map.sourceRoot ?? '');
      const complete = (map.sources ?? []).every((source) => existsSync(resolve(root, source)));
      return complete ? null : code.slice(0, link.index);
    },
  };
}
