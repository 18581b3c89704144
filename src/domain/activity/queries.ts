import { and, count, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { activityLog } from '../../db/schema';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';

export interface ActivityFilter {
  actorType?: 'user' | 'api_key' | 'agent' | 'system';
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  since?: number;
  until?: number;
}

function where(orgId: string, f: ActivityFilter) {
  return and(
    eq(activityLog.orgId, orgId),
    f.actorType ? eq(activityLog.actorType, f.actorType) : undefined,
    f.actorId ? eq(activityLog.actorId, f.actorId) : undefined,
    f.action ? eq(activityLog.action, f.action) : undefined,
    f.entityType ? eq(activityLog.entityType, f.entityType) : undefined,
    f.entityId ? eq(activityLog.entityId, f.entityId) : undefined,
    f.since !== undefined ? gte(activityLog.createdAt, f.since) : undefined,
    f.until !== undefined ? lte(activityLog.createdAt, f.until) : undefined,
  );
}

/** Newest first; the cursor is the id of the last entry seen. */
export function listActivity(ctx: OrgCtx, f: ActivityFilter, page: PageRequest) {
  return pageInOrg(ctx.db, activityLog, ctx.orgId, page, where(ctx.orgId, f), { desc: true });
}

export async function activityStats(db: Db, orgId: string, f: ActivityFilter) {
  const day = sql<string>`strftime('%Y-%m-%d', ${activityLog.createdAt} / 1000, 'unixepoch')`;
  const [byAction, byDay, total] = await db.batch([
    db
      .select({ action: activityLog.action, count: count() })
      .from(activityLog)
      .where(where(orgId, f))
      .groupBy(activityLog.action)
      .orderBy(desc(count()), activityLog.action),
    db.select({ day, count: count() }).from(activityLog).where(where(orgId, f)).groupBy(day).orderBy(day),
    db.select({ count: count() }).from(activityLog).where(where(orgId, f)),
  ]);
  return { total: total[0]?.count ?? 0, byAction, byDay };
}
