import { and, count, desc, eq, gte, lt, or, type SQL, sql, sum } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { type AiCallStatus, aiCalls } from '../../db/schema';
import { DAY } from '../../lib/time';
import { invalid } from '../agents/shared';
import type { OrgCtx } from '../context';
import type { PageRequest } from '../lookup';
import type { ModelPurpose } from './gateway';

export type AiCall = typeof aiCalls.$inferSelect;

export interface AiLogFilter {
  /** A provider id, or a provider kind (`openai`, `dev`…). */
  provider?: string;
  model?: string;
  agentId?: string;
  userId?: string;
  purpose?: ModelPurpose;
  status?: AiCallStatus;
  from?: number;
  to?: number;
}

function whereOf(orgId: string, f: AiLogFilter): SQL | undefined {
  return and(
    eq(aiCalls.orgId, orgId),
    f.provider
      ? or(eq(aiCalls.providerId, f.provider), sql`${aiCalls.providerKind} = ${f.provider}`)
      : undefined,
    f.model ? or(eq(aiCalls.modelId, f.model), eq(aiCalls.modelName, f.model)) : undefined,
    f.agentId ? eq(aiCalls.agentId, f.agentId) : undefined,
    f.userId ? eq(aiCalls.userId, f.userId) : undefined,
    f.purpose ? eq(aiCalls.purpose, f.purpose) : undefined,
    f.status ? eq(aiCalls.status, f.status) : undefined,
    f.from !== undefined ? gte(aiCalls.createdAt, f.from) : undefined,
    f.to !== undefined ? lt(aiCalls.createdAt, f.to) : undefined,
  );
}

/** Newest first; ids are time-ordered, so the cursor is the last id and the next page lies below it. */
export function pageAiCalls(ctx: OrgCtx, f: AiLogFilter, page: PageRequest): Promise<AiCall[]> {
  return ctx.db
    .select()
    .from(aiCalls)
    .where(and(whereOf(ctx.orgId, f), page.after ? lt(aiCalls.id, page.after) : undefined))
    .orderBy(desc(aiCalls.id))
    .limit(page.limit + 1);
}

const totals = {
  calls: count(),
  ok: sql<number>`sum(${aiCalls.status} = 'ok')`.mapWith(Number),
  errors: sql<number>`sum(${aiCalls.status} = 'error')`.mapWith(Number),
  cancelled: sql<number>`sum(${aiCalls.status} = 'cancelled')`.mapWith(Number),
  inputTokens: sum(aiCalls.inputTokens).mapWith(Number),
  outputTokens: sum(aiCalls.outputTokens).mapWith(Number),
  costUsd: sum(aiCalls.costUsd).mapWith(Number),
  avgLatencyMs: sql<number | null>`avg(${aiCalls.latencyMs})`.mapWith(Number),
  avgTtftMs: sql<number | null>`avg(${aiCalls.ttftMs})`.mapWith(Number),
};

type Totals = { [K in keyof typeof totals]: number | null };

export async function aiCallStats(ctx: OrgCtx, f: AiLogFilter) {
  const where = whereOf(ctx.orgId, f);
  const [all, byKind, byModel] = await Promise.all([
    ctx.db.select(totals).from(aiCalls).where(where),
    ctx.db
      .select({ key: aiCalls.errorKind, calls: count() })
      .from(aiCalls)
      .where(and(where, sql`${aiCalls.errorKind} IS NOT NULL`))
      .groupBy(aiCalls.errorKind),
    groupedBy(ctx, where, aiCalls.modelId),
  ]);
  return {
    totals: all[0] as Totals,
    errorKinds: Object.fromEntries(byKind.map((k) => [k.key ?? 'unknown', k.calls])),
    byModel,
  };
}

function groupedBy(ctx: OrgCtx, where: SQL | undefined, key: SQLiteColumn | SQL) {
  return ctx.db
    .select({ key: sql<string | null>`${key}`, ...totals })
    .from(aiCalls)
    .where(where)
    .groupBy(key)
    .orderBy(sql`${key}`);
}

const day = sql`strftime('%Y-%m-%d', ${aiCalls.createdAt} / 1000, 'unixepoch')`;

/** The longest range a usage report covers, and the one it covers unless told. */
const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

/** Token use and cost over a range (default: the last 30 days), by day, model, agent, user and purpose. */
export async function usage(ctx: OrgCtx, range: { from?: number; to?: number }) {
  const to = range.to ?? Date.now();
  const from = range.from ?? to - DEFAULT_RANGE_DAYS * DAY;
  if (from >= to || to - from > MAX_RANGE_DAYS * DAY)
    throw invalid('from', `The range must end after it starts and span at most ${MAX_RANGE_DAYS} days`);
  const where = whereOf(ctx.orgId, { from, to });
  const [byDay, byModel, byAgent, byUser, byPurpose, all] = await Promise.all([
    groupedBy(ctx, where, day),
    groupedBy(ctx, where, aiCalls.modelId),
    groupedBy(ctx, where, aiCalls.agentId),
    groupedBy(ctx, where, aiCalls.userId),
    groupedBy(ctx, where, aiCalls.purpose),
    ctx.db.select(totals).from(aiCalls).where(where),
  ]);
  return { from, to, totals: all[0] as Totals, byDay, byModel, byAgent, byUser, byPurpose };
}
