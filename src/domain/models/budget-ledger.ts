import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type BudgetMetric, modelBudgetPeriods, modelBudgets } from '../../db/schema';
import type { Env } from '../../env';
import { activityInsert } from '../activity/record';

/**
 * Budgets are enforced with reservations: before a call, each budget that applies (the org's, and
 * the agent's if it has one) reserves the most the call can use; after it, the reservation is
 * replaced by the real usage (or dropped on failure). A reservation lands only while the period's
 * spend plus open reservations is below the limit, in one conditional UPDATE, so concurrent calls
 * past the limit are refused and the overspend is at most one call's reservation.
 */

export interface BudgetRow {
  id: string;
  agentId: string | null;
  metric: BudgetMetric;
  limitAmount: number;
  softThreshold: number | null;
}

export interface Reservation {
  budget: BudgetRow;
  period: string;
  amount: number;
}

export interface BudgetRefusal {
  budgetId: string;
  scope: 'organization' | 'agent';
  metric: BudgetMetric;
  limit: number;
  spent: number;
  resetsAt: number;
}

/** Each amount in the budget's unit: tokens, or micro-dollars (USD per million tokens = µ$ per token). */
export interface CallEstimate {
  tokens: number;
  microUsd: number;
}

export const periodOf = (now: number) => new Date(now).toISOString().slice(0, 7);

/** The first instant of the next month (UTC), when a monthly budget starts again. */
export function periodResetsAt(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

const amountOf = (metric: BudgetMetric, e: CallEstimate) =>
  metric === 'tokens' ? e.tokens : Math.ceil(e.microUsd);

/** The enabled budgets that govern a call: the organization's, and the calling agent's. */
export function applicableBudgets(db: Db, orgId: string, agentId: string | null | undefined) {
  return db
    .select({
      id: modelBudgets.id,
      agentId: modelBudgets.agentId,
      metric: modelBudgets.metric,
      limitAmount: modelBudgets.limitAmount,
      softThreshold: modelBudgets.softThreshold,
    })
    .from(modelBudgets)
    .where(
      and(
        eq(modelBudgets.orgId, orgId),
        eq(modelBudgets.enabled, true),
        agentId
          ? or(isNull(modelBudgets.agentId), eq(modelBudgets.agentId, agentId))
          : isNull(modelBudgets.agentId),
      ),
    );
}

const periodRow = (budgetId: string, period: string) =>
  and(eq(modelBudgetPeriods.budgetId, budgetId), eq(modelBudgetPeriods.period, period));

/**
 * Reserves `estimate` on every budget, or on none: a refusal gives back what was reserved and
 * names the budget that refused.
 */
export async function reserve(
  db: Db,
  budgets: BudgetRow[],
  estimate: CallEstimate,
  now = Date.now(),
): Promise<{ ok: true; reservations: Reservation[] } | { ok: false; refusal: BudgetRefusal }> {
  const period = periodOf(now);
  const reservations: Reservation[] = [];
  for (const budget of budgets) {
    const amount = amountOf(budget.metric, estimate);
    const [, claimed] = await db.batch([
      db.insert(modelBudgetPeriods).values({ budgetId: budget.id, period }).onConflictDoNothing(),
      db
        .update(modelBudgetPeriods)
        .set({ reserved: sql`${modelBudgetPeriods.reserved} + ${amount}` })
        .where(
          and(
            periodRow(budget.id, period),
            lt(sql`${modelBudgetPeriods.spent} + ${modelBudgetPeriods.reserved}`, budget.limitAmount),
          ),
        )
        .returning({ spent: modelBudgetPeriods.spent }),
    ]);
    if (claimed.length === 0) {
      await settle(db, reservations, { tokens: 0, microUsd: 0 });
      const [row] = await db.select().from(modelBudgetPeriods).where(periodRow(budget.id, period));
      return {
        ok: false,
        refusal: {
          budgetId: budget.id,
          scope: budget.agentId ? 'agent' : 'organization',
          metric: budget.metric,
          limit: budget.limitAmount,
          spent: row?.spent ?? 0,
          resetsAt: periodResetsAt(now),
        },
      };
    }
    reservations.push({ budget, period, amount });
  }
  return { ok: true, reservations };
}

/** Replaces each reservation with the real usage (zero after a failure releases it). */
export async function settle(db: Db, reservations: Reservation[], used: CallEstimate): Promise<void> {
  const [first, ...rest] = reservations.map(({ budget, period, amount }) =>
    db
      .update(modelBudgetPeriods)
      .set({
        reserved: sql`max(0, ${modelBudgetPeriods.reserved} - ${amount})`,
        spent: sql`${modelBudgetPeriods.spent} + ${amountOf(budget.metric, used)}`,
      })
      .where(periodRow(budget.id, period)),
  );
  if (first) await db.batch([first, ...rest]);
}

/**
 * Emits `budget.threshold_reached` for each budget whose spend crossed its soft threshold, once a
 * period: the conditional UPDATE marks the period, and only the caller that marked it records it.
 */
export async function notifyThresholds(
  db: Db,
  env: Env,
  orgId: string,
  reservations: Reservation[],
  now = Date.now(),
): Promise<void> {
  for (const { budget, period } of reservations) {
    if (budget.softThreshold === null) continue;
    const [marked] = await db
      .update(modelBudgetPeriods)
      .set({ thresholdNotifiedAt: now })
      .where(
        and(
          periodRow(budget.id, period),
          isNull(modelBudgetPeriods.thresholdNotifiedAt),
          sql`${modelBudgetPeriods.spent} >= ${budget.limitAmount * budget.softThreshold}`,
        ),
      )
      .returning({ spent: modelBudgetPeriods.spent });
    if (!marked) continue;
    await activityInsert(
      { env, db, actor: { type: 'system', id: 'model-gateway' }, ip: null },
      {
        orgId,
        action: 'budget.threshold_reached',
        entityType: 'model_budget',
        entityId: budget.id,
        metadata: {
          period,
          metric: budget.metric,
          limit: budget.limitAmount,
          spent: marked.spent,
          soft_threshold: budget.softThreshold,
          agent_id: budget.agentId,
        },
      },
    );
  }
}
