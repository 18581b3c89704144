import { and, eq } from 'drizzle-orm';
import { createDb } from '../../../db/client';
import { vaultItems } from '../../../db/schema';
import type { JsonValue } from '../../../lib/json-value';
import { checkOutboundUrl } from '../../agent-design/mcp/outbound-url';
import { readSecret } from '../../vault/secrets';
import { renderTemplate, templateScope } from '../template';
import type { StepExecution, StepExecutor, StepOutcome } from './types';

/** A response larger than this fails the step: outputs are kept in the run's log. */
export const MAX_HTTP_RESPONSE_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;
const SECRET = /\{\{\s*secret:([A-Za-z0-9_.-]+)\s*\}\}/g;

interface HttpConfig {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | null;
  timeout_ms: number;
}

const failed = (error: string, retryable: boolean): StepOutcome => ({ status: 'failed', error, retryable });

/** `{{secret:NAME}}` in a header becomes the vault item's value; a missing item fails the step. */
async function withSecrets(x: StepExecution, headers: Record<string, string>) {
  const names = new Set(Object.values(headers).flatMap((v) => [...v.matchAll(SECRET)].map((m) => m[1]!)));
  const values = new Map<string, string>();
  const db = createDb(x.env.DB);
  for (const name of names) {
    const [item] = await db
      .select({ id: vaultItems.id })
      .from(vaultItems)
      .where(and(eq(vaultItems.orgId, x.run.orgId), eq(vaultItems.name, name)));
    if (!item) throw new Error(`The vault has no item named ${name}`);
    values.set(name, (await readSecret({ env: x.env, db }, x.run.orgId, item.id)).value);
  }
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, v.replace(SECRET, (_, n: string) => values.get(n)!)]),
  );
}

/** The body, refused past the cap without reading the rest. */
async function readCapped(res: Response): Promise<string | null> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > MAX_HTTP_RESPONSE_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(r.value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * A call to a configured endpoint (the seed's lambdas). Every hop, redirects included, passes the
 * outbound URL guard; the call is bounded in time and size. 5xx and 429 answers and network
 * errors are retried; other 4xx answers and refused URLs are not.
 */
export const httpStep: StepExecutor = async (x) => {
  const c = x.step.config as unknown as HttpConfig;
  const scope = await templateScope(x.env, x.run, x.outputs, [c.url, c.body ?? '']);
  let headers: Record<string, string>;
  try {
    headers = await withSecrets(x, c.headers ?? {});
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err), false);
  }
  const body = c.body ? renderTemplate(c.body, scope) : undefined;
  const signal = AbortSignal.any([x.signal, AbortSignal.timeout(c.timeout_ms)]);
  let url = renderTemplate(c.url, scope);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    try {
      checkOutboundUrl(x.env, url);
    } catch (err) {
      return failed(`Refused ${url}: ${err instanceof Error ? err.message : String(err)}`, false);
    }
    let res: Response;
    try {
      res = await fetch(url, { method: c.method, headers, body, signal, redirect: 'manual' });
    } catch (err) {
      return failed(`The request failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const location = res.headers.get('Location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    const text = await readCapped(res);
    if (text === null) return failed(`The response is larger than ${MAX_HTTP_RESPONSE_BYTES} bytes`, false);
    if (!res.ok)
      return failed(
        `The endpoint answered ${res.status}: ${text.slice(0, 500)}`,
        res.status >= 500 || res.status === 429,
      );
    let parsed: JsonValue = text;
    if (res.headers.get('Content-Type')?.includes('json'))
      try {
        parsed = JSON.parse(text) as JsonValue;
      } catch {
        parsed = text;
      }
    return { status: 'succeeded', output: { status: res.status, body: parsed } };
  }
  return failed(`More than ${MAX_REDIRECTS} redirects`, false);
};
