import { and, eq, gt } from 'drizzle-orm';
import { type ModelConfig, modelProviders, models } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { findInOrg, type PageRequest } from '../lookup';
import { catalogEntry } from './catalog';
import { assertModelIds, clearModelReferences } from './references';
import { type CallableModel, callable, DEV_MODEL_ID, devModelEnabled, loadModels } from './registry';
import { forgetModelSetup } from './setup-cache';

export type ModelRow = typeof models.$inferSelect;

export interface ModelInput {
  name: string;
  providerId: string;
  providerModelId: string;
  temperature?: number | null;
  maxOutputTokens?: number | null;
  contextWindow?: number | null;
  inputPricePerMillion?: number | null;
  outputPricePerMillion?: number | null;
  enabled?: boolean;
  config?: ModelConfig;
  fallbacks?: string[];
}

const nameTaken = (name: string) => conflict(`A model named "${name}" already exists`);

/** A page of the organization's models in id order, with their providers. */
export async function pageModels(ctx: OrgCtx, page: PageRequest): Promise<CallableModel[]> {
  const rows = await ctx.db
    .select({ model: models, provider: modelProviders })
    .from(models)
    .innerJoin(modelProviders, eq(modelProviders.id, models.providerId))
    .where(and(eq(models.orgId, ctx.orgId), page.after ? gt(models.id, page.after) : undefined))
    .orderBy(models.id)
    .limit(page.limit + 1);
  return rows.map(callable);
}

/** The first `limit` enabled models of the organization (for probes). */
export async function enabledModelIds(ctx: OrgCtx, limit: number): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: models.id })
    .from(models)
    .where(and(eq(models.orgId, ctx.orgId), eq(models.enabled, true)))
    .orderBy(models.id)
    .limit(limit);
  return rows.map((r) => r.id);
}

/** A model ready to show: a stored one or the built-in development model. */
export async function getModel(ctx: OrgCtx, id: string): Promise<CallableModel> {
  const [model] = await loadModels(ctx.db, ctx.env, ctx.orgId, [id]);
  // loadModels also matches names; a path names a model by id.
  if (!model || model.id !== id) throw notFound('Model');
  return model;
}

/** A stored model; the built-in `dev` model is not one (it cannot be changed or deleted). */
export async function getModelRow(ctx: OrgCtx, id: string): Promise<ModelRow> {
  if (id === DEV_MODEL_ID && devModelEnabled(ctx.env))
    throw conflict('The built-in development model cannot be changed or deleted');
  const row = await findInOrg(ctx.db, models, ctx.orgId, id);
  if (!row) throw notFound('Model');
  return row;
}

async function assertProvider(ctx: OrgCtx, providerId: string) {
  const provider = await findInOrg(ctx.db, modelProviders, ctx.orgId, providerId);
  if (!provider) throw invalid('provider_id', 'No such provider in this organization');
  return provider;
}

/** Fallbacks name models of the organization (or `dev`), never the model itself. */
async function assertFallbacks(ctx: OrgCtx, self: string, ids: string[]) {
  if (ids.includes(self)) throw invalid('fallbacks', 'A model cannot be its own fallback');
  await assertModelIds(ctx, ids, 'fallbacks');
}

/** Context window and prices come from the catalog when the model is known and they are not given. */
export async function createModel(ctx: OrgCtx, input: ModelInput): Promise<ModelRow> {
  const provider = await assertProvider(ctx, input.providerId);
  const now = Date.now();
  const id = newId('mdl', now);
  await assertFallbacks(ctx, id, input.fallbacks ?? []);
  const known = catalogEntry(provider.kind, input.providerModelId);
  const row: ModelRow = {
    id,
    orgId: ctx.orgId,
    name: input.name,
    providerId: provider.id,
    providerModelId: input.providerModelId,
    temperature: input.temperature ?? null,
    maxOutputTokens: input.maxOutputTokens ?? null,
    contextWindow: input.contextWindow ?? known?.contextWindow ?? null,
    inputPricePerMillion: input.inputPricePerMillion ?? known?.inputPricePerMillion ?? null,
    outputPricePerMillion: input.outputPricePerMillion ?? known?.outputPricePerMillion ?? null,
    enabled: input.enabled ?? true,
    config: input.config ?? {},
    fallbacks: input.fallbacks ?? [],
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(models).values(row),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'model.created',
        entityType: 'model',
        entityId: id,
        metadata: { name: row.name, provider_id: provider.id, provider_model_id: row.providerModelId },
      }),
    ],
    { unique: () => nameTaken(input.name) },
  );
  return row;
}

export async function updateModel(ctx: OrgCtx, id: string, input: Partial<ModelInput>): Promise<ModelRow> {
  const current = await getModelRow(ctx, id);
  if (input.providerId !== undefined) await assertProvider(ctx, input.providerId);
  if (input.fallbacks !== undefined) await assertFallbacks(ctx, id, input.fallbacks);
  const changes = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined),
  ) as Partial<ModelRow>;
  const next: ModelRow = { ...current, ...changes, updatedAt: Date.now() };
  await commit(
    ctx.db,
    [
      ctx.db
        .update(models)
        .set({ ...changes, updatedAt: next.updatedAt })
        .where(and(eq(models.orgId, ctx.orgId), eq(models.id, id))),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'model.updated',
        entityType: 'model',
        entityId: id,
        metadata: { name: next.name, changed: Object.keys(changes) },
      }),
    ],
    { unique: () => nameTaken(next.name) },
  );
  forgetModelSetup(ctx.orgId);
  return next;
}

export async function deleteModel(ctx: OrgCtx, id: string): Promise<void> {
  const current = await getModelRow(ctx, id);
  await ctx.db.batch([
    ...clearModelReferences(ctx.db, ctx.orgId, [id]),
    ctx.db.delete(models).where(and(eq(models.orgId, ctx.orgId), eq(models.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'model.deleted',
      entityType: 'model',
      entityId: id,
      metadata: { name: current.name },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
}
