import type { ProviderKind } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import type { OrgCtx } from '../context';
import { type ProviderTarget, providerKey } from './language-model';
import { listProviderModels, ProviderCheckError, tinyCall } from './provider-check';
import { checkProvider, getProvider } from './providers';

export type ConnectionTestInput =
  | { providerId: string }
  | { kind: ProviderKind; baseUrl?: string | null; apiKey?: string | null };

export interface ConnectionTestResult {
  ok: boolean;
  /** The step that failed: the settings themselves, reaching the server, the key, the model list, a call. */
  stage: 'settings' | 'connect' | 'auth' | 'list' | 'call' | null;
  message: string;
  status: number | null;
  modelCount: number | null;
  latencyMs: number;
}

async function targetOf(
  ctx: OrgCtx,
  input: ConnectionTestInput,
): Promise<{ target: ProviderTarget; key: string | null }> {
  if ('providerId' in input) {
    const saved = await getProvider(ctx, input.providerId);
    return { target: saved, key: await providerKey(ctx.db, ctx.env, ctx.orgId, saved) };
  }
  const target = { kind: input.kind, name: input.kind, baseUrl: input.baseUrl ?? null, keyItemId: null };
  return { target, key: input.apiKey ?? null };
}

/**
 * Tries a provider connection, saved or not, the way the gateway would use it: the model list
 * where the provider has one, else a one-token call. Every failure is an answer (ok: false) with
 * a message saying what to change; nothing is stored.
 */
export async function testConnection(ctx: OrgCtx, input: ConnectionTestInput): Promise<ConnectionTestResult> {
  const started = Date.now();
  const answer = (r: Omit<ConnectionTestResult, 'latencyMs'>) => ({ ...r, latencyMs: Date.now() - started });
  const { target, key } = await targetOf(ctx, input);
  try {
    checkProvider(ctx.env, { kind: target.kind, baseUrl: target.baseUrl, hasKey: !!key });
    const listed = await listProviderModels(ctx.env, target, key);
    if (listed.source === 'catalog' && target.kind !== 'dev' && target.kind !== 'workers_ai')
      await tinyCall(ctx.db, ctx.env, ctx.orgId, target, key);
    const count = listed.source === 'provider' ? listed.models.length : null;
    return answer({
      ok: true,
      stage: null,
      message:
        count === null ? 'The provider answered a test call' : `The provider answered with ${count} models`,
      status: null,
      modelCount: count,
    });
  } catch (error) {
    if (error instanceof ProviderCheckError)
      return answer({
        ok: false,
        stage: error.stage,
        message: error.message,
        status: error.status ?? null,
        modelCount: null,
      });
    if (error instanceof ApiError && error.kind === 'validation')
      return answer({ ok: false, stage: 'settings', message: error.message, status: null, modelCount: null });
    throw error;
  }
}
