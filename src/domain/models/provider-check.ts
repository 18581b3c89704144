import { generateText } from 'ai';
import type { Db } from '../../db/client';
import type { ProviderKind } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { guardedFetch } from '../agents/mcp/outbound-url';
import { classifyError } from './call-errors';
import { catalogEntry, type KnownModel, MODEL_CATALOG } from './catalog';
import { DEFAULT_BASE_URLS, languageModelFor, type ProviderTarget } from './language-model';
import { BUILT_IN_DEV_MODEL, type CallableModel } from './registry';

const LIST_TIMEOUT_MS = 10_000;

/** A step of talking to a provider that failed, said so that a person knows what to change. */
export class ProviderCheckError extends Error {
  constructor(
    readonly stage: 'connect' | 'auth' | 'list' | 'call',
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ListedModels {
  source: 'provider' | 'catalog';
  models: KnownModel[];
}

const withCatalog = (kind: ProviderKind, id: string): KnownModel =>
  catalogEntry(kind, id) ?? {
    id,
    contextWindow: null,
    inputPricePerMillion: null,
    outputPricePerMillion: null,
  };

function explainStatus(status: number, url: string): ProviderCheckError {
  if (status === 401 || status === 403)
    return new ProviderCheckError(
      'auth',
      `The provider refused the API key (HTTP ${status}): check or replace the key`,
      status,
    );
  if (status === 404)
    return new ProviderCheckError(
      'list',
      `Nothing answers at ${url} (HTTP 404): check the base URL (OpenAI-compatible servers usually end in /v1)`,
      status,
    );
  if (status === 429)
    return new ProviderCheckError(
      'list',
      'The provider is rate limiting this key (HTTP 429): wait and try again',
      status,
    );
  return new ProviderCheckError(
    'list',
    `The provider answered HTTP ${status} at ${url}: check its status and the base URL`,
    status,
  );
}

/** GET on the provider with its key; network failures become an explanation instead of a throw. */
async function getJson(env: Env, url: string, key: string | null): Promise<unknown> {
  let res: Response;
  try {
    res = await guardedFetch(env)(url, {
      headers: key ? { Authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const host = new URL(url).host;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new ProviderCheckError(
      'connect',
      timedOut
        ? `${host} did not answer within ${LIST_TIMEOUT_MS / 1000} s: is the server up and reachable from Foreman?`
        : `Could not connect to ${host}: check the base URL, and that the server is running and reachable from Foreman`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw explainStatus(res.status, url);
  }
  try {
    return await res.json();
  } catch {
    throw new ProviderCheckError(
      'list',
      `${url} did not answer with JSON: is this the provider’s API base URL?`,
    );
  }
}

const ids = (items: unknown, field: string): string[] =>
  Array.isArray(items)
    ? items.flatMap((m) => {
        const v = (m as Record<string, unknown>)?.[field];
        return typeof v === 'string' ? [v] : [];
      })
    : [];

/**
 * The provider's models: its own list where it has one (OpenAI-compatible `GET /models`, Ollama
 * `GET /api/tags`), otherwise the curated catalog; known context windows and prices filled in.
 */
export async function listProviderModels(
  env: Env,
  target: ProviderTarget,
  key: string | null,
): Promise<ListedModels> {
  const base = (target.baseUrl ?? DEFAULT_BASE_URLS[target.kind] ?? '').replace(/\/+$/, '');
  if (target.kind === 'ollama') {
    const body = (await getJson(env, `${base}/api/tags`, null)) as { models?: unknown };
    return { source: 'provider', models: ids(body?.models, 'name').map((id) => withCatalog('ollama', id)) };
  }
  if (target.kind === 'openai' || target.kind === 'openai_compatible' || target.kind === 'litellm') {
    const body = (await getJson(env, `${base}/models`, key)) as { data?: unknown };
    return { source: 'provider', models: ids(body?.data, 'id').map((id) => withCatalog(target.kind, id)) };
  }
  return { source: 'catalog', models: MODEL_CATALOG[target.kind] };
}

/** A one-token call, for providers whose model list cannot tell whether the key works. */
export async function tinyCall(db: Db, env: Env, orgId: string, target: ProviderTarget, key: string | null) {
  const model: CallableModel = {
    ...BUILT_IN_DEV_MODEL,
    id: 'connection-test',
    name: 'connection test',
    dev: target.kind === 'dev',
    providerModelId: MODEL_CATALOG[target.kind][0]?.id ?? 'dev-echo',
    provider: { ...target, id: null, enabled: true },
  };
  try {
    await generateText({
      model: await languageModelFor(db, env, orgId, model, key),
      prompt: 'ping',
      maxOutputTokens: 1,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
  } catch (error) {
    const e = classifyError(error);
    if (e.status) throw explainStatus(e.status, target.baseUrl ?? DEFAULT_BASE_URLS[target.kind] ?? '');
    throw new ProviderCheckError('call', `A one-token test call failed: ${e.message}`);
  }
}
