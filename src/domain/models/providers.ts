import { and, eq } from 'drizzle-orm';
import { modelProviders, models, type ProviderKind } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError, conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { checkOutboundUrl } from '../agent-design/mcp/outbound-url';
import { invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { deleteSecret, rotateSecret, storeSecret } from '../vault/secrets';
import { clearModelReferences } from './references';
import { devModelEnabled } from './registry';
import { forgetModelSetup } from './setup-cache';

export type ProviderRow = typeof modelProviders.$inferSelect;

export interface ProviderInput {
  kind: ProviderKind;
  name: string;
  baseUrl?: string | null;
  apiKey?: string | null;
  enabled?: boolean;
}

/** Kinds that only make sense with a base URL of their own (there is no public default). */
const NEEDS_BASE_URL = new Set<ProviderKind>(['openai_compatible', 'ollama', 'litellm']);
const NEEDS_KEY = new Set<ProviderKind>(['openai', 'anthropic']);
const NO_NETWORK = new Set<ProviderKind>(['dev', 'workers_ai']);

/** The rules for a connection, shared by create, update and the connection test. */
export function checkProvider(env: Env, p: { kind: ProviderKind; baseUrl?: string | null; hasKey: boolean }) {
  if (p.kind === 'dev' && !devModelEnabled(env))
    throw invalid('kind', 'The development provider exists only in development (or with DEV_MODEL=true)');
  if (p.kind === 'workers_ai' && !env.AI)
    throw invalid('kind', 'This deployment has no Workers AI binding (AI); add one to use workers_ai');
  if (NO_NETWORK.has(p.kind) && p.baseUrl)
    throw invalid('base_url', `A ${p.kind} provider takes no base URL`);
  if (NEEDS_BASE_URL.has(p.kind) && !p.baseUrl)
    throw invalid('base_url', `A ${p.kind} provider needs the base URL of its server`);
  if (NEEDS_KEY.has(p.kind) && !p.hasKey) throw invalid('api_key', `A ${p.kind} provider needs an API key`);
  if (p.baseUrl) checkOutboundUrl(env, p.baseUrl, 'base_url');
}

const keyItemName = (providerId: string) => `model-provider.${providerId}`;
const nameTaken = (name: string) => conflict(`A provider named "${name}" already exists`);

export const listProviders = (ctx: OrgCtx, page: PageRequest) =>
  pageInOrg(ctx.db, modelProviders, ctx.orgId, page);

export const getProvider = (ctx: OrgCtx, id: string) =>
  getInOrg(ctx.db, modelProviders, 'Provider', ctx.orgId, id);

/** The key goes to the vault first; if the provider then cannot be saved, the key is deleted again. */
export async function createProvider(ctx: OrgCtx, input: ProviderInput): Promise<ProviderRow> {
  checkProvider(ctx.env, { kind: input.kind, baseUrl: input.baseUrl, hasKey: !!input.apiKey });
  const now = Date.now();
  const id = newId('prv', now);
  const item = input.apiKey
    ? await storeSecret(ctx, ctx.orgId, {
        name: keyItemName(id),
        value: input.apiKey,
        description: `API key of the model provider "${input.name}"`,
      })
    : null;
  const row: ProviderRow = {
    id,
    orgId: ctx.orgId,
    kind: input.kind,
    name: input.name,
    baseUrl: input.baseUrl ?? null,
    keyItemId: item?.id ?? null,
    enabled: input.enabled ?? true,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  const dropKey = async () => {
    if (item) await deleteSecret(ctx, ctx.orgId, item.id);
    return nameTaken(input.name);
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(modelProviders).values(row),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'provider.created',
        entityType: 'model_provider',
        entityId: id,
        metadata: { name: input.name, kind: input.kind, has_api_key: !!item },
      }),
    ],
    { unique: dropKey },
  );
  return row;
}

/** `apiKey`: a string replaces the key (the old one stops at once), null removes it. */
export async function updateProvider(
  ctx: OrgCtx,
  id: string,
  input: Partial<Omit<ProviderInput, 'kind'>>,
): Promise<ProviderRow> {
  const current = await getProvider(ctx, id);
  const baseUrl = input.baseUrl === undefined ? current.baseUrl : input.baseUrl;
  const hasKey = input.apiKey === undefined ? !!current.keyItemId : !!input.apiKey;
  checkProvider(ctx.env, { kind: current.kind, baseUrl, hasKey });
  let keyItemId = current.keyItemId;
  if (input.apiKey && keyItemId)
    await rotateSecret(ctx, ctx.orgId, keyItemId, { value: input.apiKey, gracePeriodSeconds: 0 });
  else if (input.apiKey)
    keyItemId = (
      await storeSecret(ctx, ctx.orgId, {
        name: keyItemName(id),
        value: input.apiKey,
        description: `API key of the model provider "${input.name ?? current.name}"`,
      })
    ).id;
  else if (input.apiKey === null && keyItemId) {
    await deleteSecret(ctx, ctx.orgId, keyItemId);
    keyItemId = null;
  }
  const changes = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    keyItemId,
    updatedAt: Date.now(),
  };
  const changed = Object.keys(input).map((k) =>
    k === 'apiKey' ? 'api_key' : k === 'baseUrl' ? 'base_url' : k,
  );
  await commit(
    ctx.db,
    [
      ctx.db
        .update(modelProviders)
        .set(changes)
        .where(and(eq(modelProviders.orgId, ctx.orgId), eq(modelProviders.id, id))),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'provider.updated',
        entityType: 'model_provider',
        entityId: id,
        metadata: { name: input.name ?? current.name, changed },
      }),
    ],
    { unique: () => nameTaken(input.name ?? current.name) },
  );
  forgetModelSetup(ctx.orgId);
  return { ...current, ...changes };
}

/** Deletes the provider, its models (by foreign key) and every reference to them, then its key. */
export async function deleteProvider(ctx: OrgCtx, id: string): Promise<void> {
  const current = await getProvider(ctx, id);
  const ids = ctx.db.select({ id: models.id }).from(models).where(eq(models.providerId, id));
  await ctx.db.batch([
    ...clearModelReferences(ctx.db, ctx.orgId, ids),
    ctx.db.delete(modelProviders).where(and(eq(modelProviders.orgId, ctx.orgId), eq(modelProviders.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'provider.deleted',
      entityType: 'model_provider',
      entityId: id,
      metadata: { name: current.name, kind: current.kind },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
  // Someone may have deleted the key from the vault already; then there is nothing left to delete.
  if (current.keyItemId)
    await deleteSecret(ctx, ctx.orgId, current.keyItemId).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.kind === 'not_found')) throw e;
    });
}
