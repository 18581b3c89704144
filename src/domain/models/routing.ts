import { asc, eq } from 'drizzle-orm';
import { modelRoutingRules, orgModelSettings } from '../../db/schema';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import type { OrgCtx } from '../context';
import { getModel } from './models';
import { assertModelIds } from './references';
import { type CallableModel, DEV_MODEL_ID, devModelEnabled } from './registry';
import { forgetModelSetup } from './setup-cache';

export type RoutingRule = typeof modelRoutingRules.$inferSelect;
export interface RuleInput {
  match: RoutingRule['match'];
  value: string;
  modelId: string;
}

/** The default the organization chose; the development model stands in where none was chosen. */
export async function defaultModelId(ctx: OrgCtx): Promise<string | null> {
  const [row] = await ctx.db.select().from(orgModelSettings).where(eq(orgModelSettings.orgId, ctx.orgId));
  return row?.defaultModelId ?? (devModelEnabled(ctx.env) ? DEV_MODEL_ID : null);
}

/** Makes a model the organization's default. */
export async function setDefaultModel(ctx: OrgCtx, modelId: string): Promise<CallableModel> {
  const model = await getModel(ctx, modelId);
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .insert(orgModelSettings)
      .values({ orgId: ctx.orgId, defaultModelId: modelId, updatedAt: now })
      .onConflictDoUpdate({
        target: orgModelSettings.orgId,
        set: { defaultModelId: modelId, updatedAt: now },
      }),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'model.default_set',
      entityType: 'model',
      entityId: modelId,
      metadata: { name: model.name },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
  return model;
}

export const listRoutingRules = (ctx: OrgCtx) =>
  ctx.db
    .select()
    .from(modelRoutingRules)
    .where(eq(modelRoutingRules.orgId, ctx.orgId))
    .orderBy(asc(modelRoutingRules.position));

/** Replaces every rule at once, in the order given (the first match wins). */
export async function replaceRoutingRules(ctx: OrgCtx, rules: RuleInput[]): Promise<RoutingRule[]> {
  await assertModelIds(
    ctx,
    rules.map((r) => r.modelId),
    'rules',
  );
  const now = Date.now();
  const rows: RoutingRule[] = rules.map((r, i) => ({
    id: newId('rte', now),
    orgId: ctx.orgId,
    position: i,
    match: r.match,
    value: r.value,
    modelId: r.modelId,
    createdAt: now,
  }));
  await ctx.db.batch([
    ctx.db.delete(modelRoutingRules).where(eq(modelRoutingRules.orgId, ctx.orgId)),
    ...rows.map((row) => ctx.db.insert(modelRoutingRules).values(row)),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'model.routing_updated',
      entityType: 'organization',
      entityId: ctx.orgId,
      metadata: { rules: rows.length },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
  return rows;
}
