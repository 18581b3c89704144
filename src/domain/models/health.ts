import { and, desc, eq, gte } from 'drizzle-orm';
import { aiCalls } from '../../db/schema';
import type { OrgCtx } from '../context';

/** Health reads at most this many recent calls: enough for stable percentiles, cheap to sort. */
const MAX_CALLS = 2000;

export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface ModelHealth {
  modelId: string;
  modelName: string;
  providerKind: string;
  calls: number;
  successRate: number;
  errorKinds: Record<string, number>;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
  lastCallAt: number;
  lastError: string | null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

/** Per model, over the calls since `since`: success rate, error kinds, latency and time to first token. */
export async function modelHealth(ctx: OrgCtx, since: number): Promise<ModelHealth[]> {
  const rows = await ctx.db
    .select({
      modelId: aiCalls.modelId,
      modelName: aiCalls.modelName,
      providerKind: aiCalls.providerKind,
      status: aiCalls.status,
      errorKind: aiCalls.errorKind,
      errorMessage: aiCalls.errorMessage,
      latencyMs: aiCalls.latencyMs,
      ttftMs: aiCalls.ttftMs,
      createdAt: aiCalls.createdAt,
    })
    .from(aiCalls)
    .where(and(eq(aiCalls.orgId, ctx.orgId), gte(aiCalls.createdAt, since)))
    .orderBy(desc(aiCalls.createdAt))
    .limit(MAX_CALLS);
  const byModel = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byModel.get(r.modelId);
    if (list) list.push(r);
    else byModel.set(r.modelId, [r]);
  }
  return [...byModel.values()].map((calls) => {
    const [latest] = calls as [(typeof calls)[number]];
    const ok = calls.filter((c) => c.status === 'ok');
    const errorKinds: Record<string, number> = {};
    for (const c of calls) if (c.errorKind) errorKinds[c.errorKind] = (errorKinds[c.errorKind] ?? 0) + 1;
    return {
      modelId: latest.modelId,
      modelName: latest.modelName,
      providerKind: latest.providerKind,
      calls: calls.length,
      successRate: ok.length / calls.length,
      errorKinds,
      latencyMs: percentiles(ok.map((c) => c.latencyMs)),
      ttftMs: percentiles(ok.flatMap((c) => (c.ttftMs === null ? [] : [c.ttftMs]))),
      lastCallAt: latest.createdAt,
      lastError: calls.find((c) => c.errorMessage)?.errorMessage ?? null,
    };
  });
}
