import { and, eq, inArray, isNull, lte, or, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  type BudgetMetric,
  modelBudgetPeriods,
  modelBudgetReservations,
  modelBudgets,
} from '../../db/schema';
import type { Env } from '../../env';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';

/**
 * Budgets are enforced with reservations: before a call, each budget that applies (the org's, and
 * the agent's if it has one) reserves the most the call can use; after it, the reservation is
 * replaced by the real usage (or dropped on failure). A reservation lands only while the period's
 * spend plus its live reservations is below the limit, in one conditional INSERT, so concurrent
 * calls past the limit are refused and the overspend is at most one call's reservation. Each
 * reservation expires (the longest the call can take, plus a margin): one whose Worker died
 * before settling stops counting then, and housekeeping deletes it.
 */

export interface BudgetRow {
  id: string;
  agentId: string | null;
  metric: BudgetMetric;
  limitAmount: number;
  softThreshold: number | null;
}

export interface Reservation {
  id: string;
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

/** What the live (unexpired) reservations of a budget hold in a period. */
export const liveReserved = (budgetId: SQLWrapper | string, period: string, now: number) =>
  sql<number>`(SELECT coalesce(sum(${modelBudgetReservations.amount}), 0) FROM ${modelBudgetReservations}
    WHERE ${modelBudgetReservations.budgetId} = ${budgetId} AND ${modelBudgetReservations.period} = ${period}
    AND ${modelBudgetReservations.expiresAt} > ${now})`;

const spentIn = (budgetId: string, period: string) =>
  sql`coalesce((SELECT ${modelBudgetPeriods.spent} FROM ${modelBudgetPeriods} WHERE ${periodRow(budgetId, period)}), 0)`;

/**
 * Reserves `estimate` on every budget until `now + holdMs`, or on none: a refusal gives back what
 * was reserved and names the budget that refused.
 */
export async function reserve(
  db: Db,
  budgets: BudgetRow[],
  estimate: CallEstimate,
  holdMs: number,
  now = Date.now(),
): Promise<{ ok: true; reservations: Reservation[] } | { ok: false; refusal: BudgetRefusal }> {
  const period = periodOf(now);
  const reservations: Reservation[] = [];
  for (const budget of budgets) {
    const amount = amountOf(budget.metric, estimate);
    const id = newId('bdr', now);
    // Columns in table order: id, budget_id, period, amount, expires_at.
    const claimed = await db
      .insert(modelBudgetReservations)
      .select(
        sql`SELECT ${id}, ${budget.id}, ${period}, ${amount}, ${now + holdMs}
          WHERE ${spentIn(budget.id, period)} + ${liveReserved(budget.id, period, now)} < ${budget.limitAmount}`,
      )
      .returning({ id: modelBudgetReservations.id });
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
    reservations.push({ id, budget, period, amount });
  }
  return { ok: true, reservations };
}

/**
 * Replaces each reservation with the real usage (zero after a failure releases it). The usage
 * counts even when the reservation already expired: the call did spend it.
 */
export async function settle(db: Db, reservations: Reservation[], used: CallEstimate): Promise<void> {
  const ids = reservations.map((r) => r.id);
  if (ids.length === 0) return;
  await db.batch([
    db.delete(modelBudgetReservations).where(inArray(modelBudgetReservations.id, ids)),
    ...reservations.map(({ budget, period }) => {
      const spent = amountOf(budget.metric, used);
      return db
        .insert(modelBudgetPeriods)
        .values({ budgetId: budget.id, period, spent })
        .onConflictDoUpdate({
          target: [modelBudgetPeriods.budgetId, modelBudgetPeriods.period],
          set: { spent: sql`${modelBudgetPeriods.spent} + ${spent}` },
        });
    }),
  ]);
}

/** Reservations past their expiry no longer count; their rows go (safe to run twice). */
export const purgeExpiredReservations = (db: Db, now: number) =>
  db.delete(modelBudgetReservations).where(lte(modelBudgetReservations.expiresAt, now));

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
