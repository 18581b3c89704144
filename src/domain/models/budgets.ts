import { and, eq, gt } from 'drizzle-orm';
import { type BudgetMetric, modelBudgetPeriods, modelBudgets } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertAgentInOrg, invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import type { PageRequest } from '../lookup';
import { periodOf, periodResetsAt } from './budget-ledger';
import { forgetModelSetup } from './setup-cache';

export type BudgetRow = typeof modelBudgets.$inferSelect;

export interface BudgetView extends BudgetRow {
  period: string;
  spent: number;
  reserved: number;
  resetsAt: number;
  thresholdReachedAt: number | null;
}

export interface BudgetInput {
  agentId?: string | null;
  metric: BudgetMetric;
  /** Tokens, or USD for a cost budget. */
  limit: number;
  softThreshold?: number | null;
  enabled?: boolean;
}

const taken = (input: { agentId?: string | null; metric: BudgetMetric }) =>
  conflict(
    `There is already a ${input.metric} budget for ${input.agentId ? 'this agent' : 'the organization'}; change that one`,
  );

/** Budgets with this month's spend (none yet is zero). */
async function withSpend(ctx: OrgCtx, where: ReturnType<typeof and>, limit?: number): Promise<BudgetView[]> {
  const now = Date.now();
  const period = periodOf(now);
  const query = ctx.db
    .select({ budget: modelBudgets, spend: modelBudgetPeriods })
    .from(modelBudgets)
    .leftJoin(
      modelBudgetPeriods,
      and(eq(modelBudgetPeriods.budgetId, modelBudgets.id), eq(modelBudgetPeriods.period, period)),
    )
    .where(where)
    .orderBy(modelBudgets.id);
  const rows = limit === undefined ? await query : await query.limit(limit);
  return rows.map(({ budget, spend }) => ({
    ...budget,
    period,
    spent: spend?.spent ?? 0,
    reserved: spend?.reserved ?? 0,
    resetsAt: periodResetsAt(now),
    thresholdReachedAt: spend?.thresholdNotifiedAt ?? null,
  }));
}

export const pageBudgets = (ctx: OrgCtx, page: PageRequest) =>
  withSpend(
    ctx,
    and(eq(modelBudgets.orgId, ctx.orgId), page.after ? gt(modelBudgets.id, page.after) : undefined),
    page.limit + 1,
  );

export async function getBudget(ctx: OrgCtx, id: string): Promise<BudgetView> {
  const [row] = await withSpend(ctx, and(eq(modelBudgets.orgId, ctx.orgId), eq(modelBudgets.id, id)));
  if (!row) throw notFound('Budget');
  return row;
}

export async function createBudget(ctx: OrgCtx, input: BudgetInput): Promise<BudgetView> {
  if (input.agentId) await assertAgentInOrg(ctx.db, ctx.orgId, input.agentId);
  const now = Date.now();
  const id = newId('bdg', now);
  await commit(
    ctx.db,
    [
      ctx.db.insert(modelBudgets).values({
        id,
        orgId: ctx.orgId,
        agentId: input.agentId ?? null,
        metric: input.metric,
        limitAmount: toAmount(input.metric, input.limit),
        softThreshold: input.softThreshold ?? null,
        enabled: input.enabled ?? true,
        createdBy: ctx.actor.id,
        createdAt: now,
        updatedAt: now,
      }),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'budget.created',
        entityType: 'model_budget',
        entityId: id,
        metadata: { metric: input.metric, limit: input.limit, agent_id: input.agentId ?? null },
      }),
    ],
    { unique: () => taken(input) },
  );
  forgetModelSetup(ctx.orgId);
  return getBudget(ctx, id);
}

/** Cost budgets are dollars to people and micro-dollars in storage (exact integer arithmetic). */
export const fromAmount = (metric: BudgetMetric, n: number) => (metric === 'cost' ? n / 1_000_000 : n);

export function toAmount(metric: BudgetMetric, n: number): number {
  if (metric === 'tokens' && !Number.isInteger(n)) throw invalid('limit', 'A token limit is a whole number');
  return metric === 'cost' ? Math.round(n * 1_000_000) : n;
}

/** `limit` is in the budget's own unit: tokens, or USD. */
export async function updateBudget(
  ctx: OrgCtx,
  id: string,
  input: { limit?: number; softThreshold?: number | null; enabled?: boolean },
): Promise<BudgetView> {
  const current = await getBudget(ctx, id);
  const changes = Object.fromEntries(
    Object.entries({
      limitAmount: input.limit === undefined ? undefined : toAmount(current.metric, input.limit),
      softThreshold: input.softThreshold,
      enabled: input.enabled,
    }).filter(([, v]) => v !== undefined),
  );
  await ctx.db.batch([
    ctx.db
      .update(modelBudgets)
      .set({ ...changes, updatedAt: Date.now() })
      .where(and(eq(modelBudgets.orgId, ctx.orgId), eq(modelBudgets.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'budget.updated',
      entityType: 'model_budget',
      entityId: id,
      metadata: { changed: Object.keys(changes) },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
  return getBudget(ctx, id);
}

export async function deleteBudget(ctx: OrgCtx, id: string): Promise<void> {
  const budget = await getBudget(ctx, id);
  await ctx.db.batch([
    ctx.db.delete(modelBudgets).where(and(eq(modelBudgets.orgId, ctx.orgId), eq(modelBudgets.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'budget.deleted',
      entityType: 'model_budget',
      entityId: id,
      metadata: { metric: budget.metric, agent_id: budget.agentId },
    }),
  ]);
  forgetModelSetup(ctx.orgId);
}
