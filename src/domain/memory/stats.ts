import { and, count, desc, max, type SQL, sql } from 'drizzle-orm';
import { memoryEntries } from '../../db/schema';
import { MEMORY_KINDS } from '../../db/schema/memory';
import type { OrgCtx } from '../context';
import { live } from './entries';

/** Figures over the organization's live entries, in one round trip. */
export async function memoryStats(ctx: OrgCtx) {
  const where: SQL = and(sql`${memoryEntries.orgId} = ${ctx.orgId}`, live(Date.now()))!;
  const [byKind, byAgent, [latest]] = await ctx.db.batch([
    ctx.db
      .select({ kind: memoryEntries.kind, n: count() })
      .from(memoryEntries)
      .where(where)
      .groupBy(memoryEntries.kind),
    ctx.db
      .select({ agentId: memoryEntries.agentId, n: count() })
      .from(memoryEntries)
      .where(where)
      .groupBy(memoryEntries.agentId)
      .orderBy(desc(count())),
    ctx.db
      .select({ at: max(memoryEntries.createdAt) })
      .from(memoryEntries)
      .where(where),
  ]);
  const kinds = Object.fromEntries(MEMORY_KINDS.map((k) => [k, 0])) as Record<
    (typeof MEMORY_KINDS)[number],
    number
  >;
  for (const r of byKind) kinds[r.kind] = r.n;
  return {
    total: byKind.reduce((sum, r) => sum + r.n, 0),
    byKind: kinds,
    shared: byAgent.find((r) => r.agentId === null)?.n ?? 0,
    byAgent: byAgent.filter((r) => r.agentId !== null).map((r) => ({ agentId: r.agentId!, count: r.n })),
    latestAt: latest?.at ?? null,
  };
}
