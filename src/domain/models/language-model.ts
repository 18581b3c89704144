import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { guardedFetch } from '../agent-design/mcp/outbound-url';
import { readSecret } from '../vault/secrets';
import { createDevModel } from './dev-model';
import type { CallableModel } from './registry';
import { cachedKey } from './setup-cache';

/** Why a provider cannot be called at all (no network call was made); not worth a fallback's retry. */
export class ProviderSetupError extends Error {}

/** Where each kind listens when the provider row gives no base URL. */
export const DEFAULT_BASE_URLS: Partial<Record<CallableModel['provider']['kind'], string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  ollama: 'http://localhost:11434',
  litellm: 'http://localhost:4000',
};

export type ProviderTarget = Pick<CallableModel['provider'], 'kind' | 'name' | 'baseUrl' | 'keyItemId'>;

/** The provider's API key from the vault (kept a second, see `cachedKey`); never logged. */
export async function providerKey(
  db: Db,
  env: Env,
  orgId: string,
  p: ProviderTarget,
): Promise<string | null> {
  const itemId = p.keyItemId;
  if (!itemId) return null;
  return cachedKey(orgId, itemId, async () => (await readSecret({ db, env }, orgId, itemId)).value);
}

const baseUrlOf = (p: ProviderTarget) => {
  const url = p.baseUrl ?? DEFAULT_BASE_URLS[p.kind];
  if (!url) throw new ProviderSetupError(`The provider "${p.name}" has no base URL`);
  return url.replace(/\/+$/, '');
};

/**
 * The AI SDK model for a registry model. Every HTTP provider fetches through the SSRF guard;
 * Ollama is reached through its OpenAI-compatible `/v1` API. `key` is given when testing a
 * connection that is not saved yet; otherwise the provider's key is read from the vault.
 */
export async function languageModelFor(
  db: Db,
  env: Env,
  orgId: string,
  model: CallableModel,
  key?: string | null,
): Promise<LanguageModelV3> {
  const p = model.provider;
  const id = model.providerModelId;
  if (p.kind === 'dev') return createDevModel(id, { tokenDelayMs: model.config.tokenDelayMs });
  if (p.kind === 'workers_ai') {
    if (!env.AI) throw new ProviderSetupError('Workers AI needs an AI binding, and this deployment has none');
    const { createWorkersAI } = await import('workers-ai-provider');
    return createWorkersAI({ binding: env.AI })(id);
  }
  const apiKey = (key === undefined ? await providerKey(db, env, orgId, p) : key) ?? undefined;
  const baseURL = baseUrlOf(p);
  // Keyed by everything the model is made from, so a changed key or URL simply makes a new one.
  const cacheKey = [p.kind, p.name, baseURL, apiKey ?? '', id].join('\n');
  const cache = builtModels(env);
  const hit = cache.get(cacheKey);
  if (hit) {
    cache.delete(cacheKey);
    cache.set(cacheKey, hit);
    return hit;
  }
  const made = buildModel(p, id, baseURL, apiKey, guardedFetch(env));
  cache.set(cacheKey, made);
  if (cache.size > MAX_BUILT_MODELS) cache.delete(cache.keys().next().value as string);
  return made;
}

/**
 * Provider models built in this isolate, most recently used last. Building one makes its response
 * schemas anew, and a new schema is walked in full the first time it parses: reusing the model
 * keeps that cost off every call.
 */
const MAX_BUILT_MODELS = 100;
const built = new WeakMap<Env, Map<string, LanguageModelV3>>();
function builtModels(env: Env) {
  const cache = built.get(env) ?? new Map<string, LanguageModelV3>();
  built.set(env, cache);
  return cache;
}

function buildModel(
  p: ProviderTarget,
  id: string,
  baseURL: string,
  apiKey: string | undefined,
  fetch: typeof globalThis.fetch,
): LanguageModelV3 {
  switch (p.kind) {
    case 'openai':
      if (!apiKey) throw new ProviderSetupError(`The provider "${p.name}" has no API key`);
      return createOpenAI({ apiKey, baseURL, fetch }).chat(id);
    case 'anthropic':
      if (!apiKey) throw new ProviderSetupError(`The provider "${p.name}" has no API key`);
      return createAnthropic({ apiKey, baseURL, fetch })(id);
    case 'ollama':
      return createOpenAICompatible({
        name: p.name,
        baseURL: `${baseURL}/v1`,
        fetch,
        includeUsage: true,
      }).chatModel(id);
    default:
      return createOpenAICompatible({ name: p.name, baseURL, apiKey, fetch, includeUsage: true }).chatModel(
        id,
      );
  }
}
