import { and, asc, desc, eq, gt, lt, type SQL, sql } from 'drizzle-orm';
import { memberships, teamMembers, teams, users } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit } from '../commit';
import type { Ctx } from '../context';

export type Team = typeof teams.$inferSelect;

export function listTeams(ctx: Ctx, orgId: string, limit: number, after?: string) {
  return ctx.db
    .select()
    .from(teams)
    .where(and(eq(teams.orgId, orgId), after ? lt(teams.id, after) : undefined))
    .orderBy(desc(teams.id))
    .limit(limit + 1);
}

export async function getTeam(ctx: Ctx, orgId: string, teamId: string) {
  const [team] = await ctx.db
    .select()
    .from(teams)
    .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId)))
    .limit(1);
  if (!team) throw notFound('Team');
  return team;
}

export async function createTeam(
  ctx: Ctx,
  orgId: string,
  input: { name: string; description?: string | null },
) {
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
  ctx: Ctx,
  orgId: string,
  teamId: string,
  patch: { name?: string; description?: string | null },
) {
  await getTeam(ctx, orgId, teamId);
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

export async function deleteTeam(ctx: Ctx, orgId: string, teamId: string) {
  await getTeam(ctx, orgId, teamId);
  await ctx.db.batch([
    ctx.db.delete(teamMembers).where(eq(teamMembers.teamId, teamId)),
    ctx.db.delete(teams).where(and(eq(teams.orgId, orgId), eq(teams.id, teamId))),
    activityInsert(ctx, { orgId, action: 'team.deleted', entityType: 'team', entityId: teamId }),
  ]);
}

export async function listTeamMembers(
  ctx: Ctx,
  orgId: string,
  teamId: string,
  limit: number,
  after?: string,
) {
  await getTeam(ctx, orgId, teamId);
  return ctx.db
    .select({
      userId: teamMembers.userId,
      email: users.email,
      name: users.name,
      addedAt: teamMembers.createdAt,
    })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), after ? gt(teamMembers.userId, after) : undefined))
    .orderBy(asc(teamMembers.userId))
    .limit(limit + 1);
}

/**
 * True while the team membership matches `where`: the activity entry written first in a batch
 * under this condition (or its negation) lands exactly when the write after it changes something.
 */
const teamMemberWhere = (where: SQL | undefined) => sql`EXISTS (SELECT 1 FROM ${teamMembers} WHERE ${where})`;

/** Only members of the organization can join its teams; adding twice is a no-op. */
export async function addTeamMember(ctx: Ctx, orgId: string, teamId: string, userId: string) {
  await getTeam(ctx, orgId, teamId);
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

export async function removeTeamMember(ctx: Ctx, orgId: string, teamId: string, userId: string) {
  await getTeam(ctx, orgId, teamId);
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
