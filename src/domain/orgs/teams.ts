import { and, eq, type SQL, sql } from 'drizzle-orm';
import { memberships, teamMembers, teams, users } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageClauses, pageInOrg } from '../lookup';

export type Team = typeof teams.$inferSelect;

export function listTeams(ctx: OrgCtx, page: PageRequest) {
  return pageInOrg(ctx.db, teams, ctx.orgId, page, undefined, { desc: true });
}

export async function getTeam(ctx: OrgCtx, teamId: string) {
  const { orgId } = ctx;
  const [team] = await ctx.db
    .select()
    .from(teams)
    .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId)))
    .limit(1);
  if (!team) throw notFound('Team');
  return team;
}

export async function createTeam(ctx: OrgCtx, input: { name: string; description?: string | null }) {
  const { orgId } = ctx;
  const now = Date.now();
  const team: Team = {
    id: newId('team'),
    orgId,
    name: input.name,
    description: input.description ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(teams).values(team),
      activityInsert(ctx, { orgId, action: 'team.created', entityType: 'team', entityId: team.id }),
    ],
    { unique: `A team named "${input.name}" already exists` },
  );
  return team;
}

export async function updateTeam(
  ctx: OrgCtx,
  teamId: string,
  patch: { name?: string; description?: string | null },
) {
  const { orgId } = ctx;
  await getTeam(ctx, teamId);
  const [[team]] = await commit(
    ctx.db,
    [
      ctx.db
        .update(teams)
        .set({ ...patch, updatedAt: Date.now() })
        .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId)))
        .returning(),
      activityInsert(ctx, { orgId, action: 'team.updated', entityType: 'team', entityId: teamId }),
    ],
    { unique: `A team named "${patch.name}" already exists` },
  );
  return team!;
}

export async function deleteTeam(ctx: OrgCtx, teamId: string) {
  const { orgId } = ctx;
  await getTeam(ctx, teamId);
  await ctx.db.batch([
    ctx.db.delete(teamMembers).where(eq(teamMembers.teamId, teamId)),
    ctx.db.delete(teams).where(and(eq(teams.orgId, orgId), eq(teams.id, teamId))),
    activityInsert(ctx, { orgId, action: 'team.deleted', entityType: 'team', entityId: teamId }),
  ]);
}

export async function listTeamMembers(ctx: OrgCtx, teamId: string, page: PageRequest) {
  await getTeam(ctx, teamId);
  const p = pageClauses(page, teamMembers.userId);
  return ctx.db
    .select({
      userId: teamMembers.userId,
      email: users.email,
      name: users.name,
      addedAt: teamMembers.createdAt,
    })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), p.after))
    .orderBy(p.orderBy)
    .limit(p.limit);
}

/**
 * True while the team membership matches `where`: the activity entry written first in a batch
 * under this condition (or its negation) lands exactly when the write after it changes something.
 */
const teamMemberWhere = (where: SQL | undefined) => sql`EXISTS (SELECT 1 FROM ${teamMembers} WHERE ${where})`;

/** Only members of the organization can join its teams; adding twice is a no-op. */
export async function addTeamMember(ctx: OrgCtx, teamId: string, userId: string) {
  const { orgId } = ctx;
  await getTeam(ctx, teamId);
  const [member] = await ctx.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!member) throw notFound('Member');
  const row = and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId));
  await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'team.member_added',
        entityType: 'team',
        entityId: teamId,
        metadata: { user_id: userId },
      },
      sql`NOT ${teamMemberWhere(row)}`,
    ),
    ctx.db.insert(teamMembers).values({ teamId, orgId, userId, createdAt: Date.now() }).onConflictDoNothing(),
  ]);
}

export async function removeTeamMember(ctx: OrgCtx, teamId: string, userId: string) {
  const { orgId } = ctx;
  await getTeam(ctx, teamId);
  const row = and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId));
  const [, removed] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'team.member_removed',
        entityType: 'team',
        entityId: teamId,
        metadata: { user_id: userId },
      },
      teamMemberWhere(row),
    ),
    ctx.db.delete(teamMembers).where(row).returning({ userId: teamMembers.userId }),
  ]);
  if (removed.length === 0) throw notFound('Team member');
}
