import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { councilMembers, councils } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { findInOrg, type PageRequest, pageInOrg } from '../lookup';
import { checkAgents } from './references';

export type CouncilRow = typeof councils.$inferSelect;
export interface Council extends CouncilRow {
  memberAgentIds: string[];
}

export interface CouncilInput {
  name: string;
  description?: string | null;
  leaderAgentId: string;
  memberAgentIds: string[];
}

/** The councils with their members (in their order), in one more read. */
async function withMembers(db: Db, rows: CouncilRow[]): Promise<Council[]> {
  if (rows.length === 0) return [];
  const members = await db
    .select()
    .from(councilMembers)
    .where(
      inArray(
        councilMembers.councilId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(councilMembers.position));
  return rows.map((r) => ({
    ...r,
    memberAgentIds: members.filter((m) => m.councilId === r.id).map((m) => m.agentId),
  }));
}

export async function getCouncil(db: Db, orgId: string, id: string): Promise<Council> {
  const row = await findInOrg(db, councils, orgId, id);
  if (!row) throw notFound('Council');
  const [council] = await withMembers(db, [row]);
  return council!;
}

export async function listCouncils(db: Db, orgId: string, page: PageRequest): Promise<Council[]> {
  return withMembers(db, await pageInOrg(db, councils, orgId, page));
}

/** Leader and members must be agents of the organization: a 422 naming each unknown one. */
const checkMembers = (ctx: OrgCtx, leaderAgentId: string | undefined, memberAgentIds: string[] | undefined) =>
  checkAgents(ctx.db, ctx.orgId, [
    ...(leaderAgentId ? [{ path: 'leader_agent_id', id: leaderAgentId }] : []),
    ...(memberAgentIds ?? []).map((id, i) => ({ path: `member_agent_ids.${i}`, id })),
  ]);

const memberRows = (ctx: OrgCtx, councilId: string, agentIds: string[]) =>
  agentIds.map((agentId, position) => ({ councilId, agentId, orgId: ctx.orgId, position }));

/** An agent deleted between the check and the write fails the batch's foreign key: a 409. */
const agentGone = 'An agent of the council was deleted at the same time; check the agents and retry';

export async function createCouncil(ctx: OrgCtx, input: CouncilInput): Promise<Council> {
  await checkMembers(ctx, input.leaderAgentId, input.memberAgentIds);
  const now = Date.now();
  const row: CouncilRow = {
    id: newId('cnl', now),
    orgId: ctx.orgId,
    name: input.name,
    description: input.description ?? null,
    leaderAgentId: input.leaderAgentId,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(councils).values(row),
      ctx.db.insert(councilMembers).values(memberRows(ctx, row.id, input.memberAgentIds)),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'council.created',
        entityType: 'council',
        entityId: row.id,
      }),
    ],
    { foreignKey: agentGone },
  );
  return { ...row, memberAgentIds: input.memberAgentIds };
}

export async function updateCouncil(ctx: OrgCtx, id: string, patch: Partial<CouncilInput>): Promise<Council> {
  // Found in this organization first: the member rows below must never land on another's council.
  const [current] = await Promise.all([
    findInOrg(ctx.db, councils, ctx.orgId, id),
    checkMembers(ctx, patch.leaderAgentId, patch.memberAgentIds),
  ]);
  if (!current) throw notFound('Council');
  const { memberAgentIds, ...fields } = patch;
  const where = and(eq(councils.orgId, ctx.orgId), eq(councils.id, id));
  const [[row]] = await commit(
    ctx.db,
    [
      ctx.db
        .update(councils)
        .set({ ...fields, updatedAt: Date.now() })
        .where(where)
        .returning(),
      activityInsertIf(
        ctx,
        { orgId: ctx.orgId, action: 'council.updated', entityType: 'council', entityId: id },
        sql`EXISTS (SELECT 1 FROM ${councils} WHERE ${where})`,
      ),
      // The member list is replaced as a whole.
      ...(memberAgentIds
        ? [
            ctx.db.delete(councilMembers).where(eq(councilMembers.councilId, id)),
            ctx.db.insert(councilMembers).values(memberRows(ctx, id, memberAgentIds)),
          ]
        : []),
    ],
    { foreignKey: agentGone },
  );
  if (!row) throw notFound('Council');
  return getCouncil(ctx.db, ctx.orgId, id);
}

export async function deleteCouncil(ctx: OrgCtx, id: string) {
  const where = and(eq(councils.orgId, ctx.orgId), eq(councils.id, id));
  const [, [row]] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      { orgId: ctx.orgId, action: 'council.deleted', entityType: 'council', entityId: id },
      sql`EXISTS (SELECT 1 FROM ${councils} WHERE ${where})`,
    ),
    ctx.db.delete(councils).where(where).returning({ id: councils.id }),
  ]);
  if (!row) throw notFound('Council');
}
