import { and, desc, eq, gte, inArray, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runAgents, runs } from '../../db/schema';
import type { Env } from '../../env';
import type { OrgCtx } from '../context';
import type { PageRequest } from '../lookup';
import { getInOrg } from '../lookup';
import { runObject } from './index-sync';
import type { RunSnapshot, RunStatus } from './protocol';

export type RunRow = typeof runs.$inferSelect;
export interface RunDetail {
  row: RunRow;
  agentIds: string[];
  snapshot: RunSnapshot | null;
}

export interface RunFilter {
  pipelineId?: string;
  status?: RunStatus[];
  projectId?: string;
  agentId?: string;
  createdAfter?: number;
  createdBefore?: number;
}

export const getRunRow = (db: Db, orgId: string, runId: string) => getInOrg(db, runs, 'Run', orgId, runId);

async function agentsOf(db: Db, runIds: string[]) {
  const map = new Map<string, string[]>();
  if (runIds.length === 0) return map;
  const rows = await db.select().from(runAgents).where(inArray(runAgents.runId, runIds));
  for (const r of rows) map.set(r.runId, [...(map.get(r.runId) ?? []), r.agentId]);
  return map;
}

/** The run's index row (404 for another organization's) with its steps from the run's object. */
export async function getRun(ctx: { env: Env; db: Db; orgId: string }, runId: string): Promise<RunDetail> {
  const row = await getRunRow(ctx.db, ctx.orgId, runId);
  const [agents, snapshot] = await Promise.all([
    agentsOf(ctx.db, [runId]),
    runObject(ctx.env, runId).snapshot(),
  ]);
  return { row, agentIds: agents.get(runId) ?? [], snapshot };
}

/** Newest first. */
export async function listRuns(ctx: OrgCtx, f: RunFilter, page: PageRequest) {
  const where: (SQL | undefined)[] = [
    eq(runs.orgId, ctx.orgId),
    f.pipelineId ? eq(runs.pipelineId, f.pipelineId) : undefined,
    f.status?.length ? inArray(runs.status, f.status) : undefined,
    f.projectId ? eq(runs.projectId, f.projectId) : undefined,
    f.agentId
      ? sql`EXISTS (SELECT 1 FROM ${runAgents} WHERE ${runAgents.runId} = ${runs.id} AND ${runAgents.agentId} = ${f.agentId})`
      : undefined,
    f.createdAfter !== undefined ? gte(runs.createdAt, f.createdAfter) : undefined,
    f.createdBefore !== undefined ? lte(runs.createdAt, f.createdBefore) : undefined,
    page.after ? lt(runs.id, page.after) : undefined,
  ];
  const rows = await ctx.db
    .select()
    .from(runs)
    .where(and(...where))
    .orderBy(desc(runs.id))
    .limit(page.limit + 1);
  const agents = await agentsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ row, agentIds: agents.get(row.id) ?? [] }));
}
