import { and, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type ModelConfig, modelProviders, models, type ProviderKind } from '../../db/schema';
import type { Env } from '../../env';
import { cachedModels } from './setup-cache';

/** The built-in development model's registry id; it has no row (see `devModelEnabled`). */
export const DEV_MODEL_ID = 'dev';

/** Everywhere in development; in production only when the var DEV_MODEL is "true". */
export const devModelEnabled = (env: Pick<Env, 'ENVIRONMENT' | 'DEV_MODEL'>) =>
  env.ENVIRONMENT === 'development' || env.DEV_MODEL === 'true';

/** A model ready to call: its registry row joined with what the gateway needs of its provider. */
export interface CallableModel {
  id: string;
  name: string;
  enabled: boolean;
  dev: boolean;
  providerModelId: string;
  temperature: number | null;
  maxOutputTokens: number | null;
  contextWindow: number | null;
  inputPricePerMillion: number | null;
  outputPricePerMillion: number | null;
  config: ModelConfig;
  fallbacks: string[];
  /** Null for the built-in development model, which has no row. */
  createdAt: number | null;
  updatedAt: number | null;
  provider: {
    id: string | null;
    kind: ProviderKind;
    name: string;
    baseUrl: string | null;
    keyItemId: string | null;
    enabled: boolean;
  };
}

export const BUILT_IN_DEV_MODEL: CallableModel = {
  id: DEV_MODEL_ID,
  name: 'Development model',
  enabled: true,
  dev: true,
  providerModelId: 'dev-echo',
  temperature: null,
  maxOutputTokens: 1024,
  contextWindow: 32_768,
  inputPricePerMillion: 0,
  outputPricePerMillion: 0,
  config: { tokenDelayMs: 0 },
  fallbacks: [],
  createdAt: null,
  updatedAt: null,
  provider: { id: null, kind: 'dev', name: 'dev', baseUrl: null, keyItemId: null, enabled: true },
};

export type Row = { model: typeof models.$inferSelect; provider: typeof modelProviders.$inferSelect };

export const callable = ({ model, provider }: Row): CallableModel => ({
  id: model.id,
  name: model.name,
  enabled: model.enabled,
  dev: provider.kind === 'dev',
  providerModelId: model.providerModelId,
  temperature: model.temperature,
  maxOutputTokens: model.maxOutputTokens,
  contextWindow: model.contextWindow,
  inputPricePerMillion: model.inputPricePerMillion,
  outputPricePerMillion: model.outputPricePerMillion,
  config: model.config,
  fallbacks: model.fallbacks,
  createdAt: model.createdAt,
  updatedAt: model.updatedAt,
  provider: {
    id: provider.id,
    kind: provider.kind,
    name: provider.name,
    baseUrl: provider.baseUrl,
    keyItemId: provider.keyItemId,
    enabled: provider.enabled,
  },
});

/**
 * The organization's models by id (or by name: an agent's free-text `model` names one), in the
 * order asked, with the built-in development model where it is available. Unknown ones are left
 * out; the caller decides what a missing model means. Models found are kept for a second (see
 * `cachedModels`).
 */
export async function loadModels(
  db: Db,
  env: Pick<Env, 'ENVIRONMENT' | 'DEV_MODEL'>,
  orgId: string,
  ids: string[],
): Promise<CallableModel[]> {
  const stored = ids.filter((id) => id !== DEV_MODEL_ID);
  const read = async (wanted: string[]) =>
    (
      await db
        .select({ model: models, provider: modelProviders })
        .from(models)
        .innerJoin(modelProviders, eq(modelProviders.id, models.providerId))
        .where(and(eq(models.orgId, orgId), or(inArray(models.id, wanted), inArray(models.name, wanted))))
    ).map(callable);
  const byId =
    stored.length === 0 ? new Map<string, CallableModel>() : await cachedModels(orgId, stored, read);
  if (devModelEnabled(env)) byId.set(DEV_MODEL_ID, BUILT_IN_DEV_MODEL);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A model is callable when it and its provider are enabled, and a dev model only where allowed. */
export const usable = (env: Pick<Env, 'ENVIRONMENT' | 'DEV_MODEL'>, m: CallableModel) =>
  m.enabled && m.provider.enabled && (!m.dev || devModelEnabled(env));
