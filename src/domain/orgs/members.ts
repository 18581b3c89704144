import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { memberships, teamMembers, users } from '../../db/schema';
import { conflict, forbidden, notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import type { Role } from '../auth/scopes';
import { normalizeEmail } from '../auth/users';
import type { Ctx } from '../context';
import { forgetMemberships } from './context';

const memberColumns = {
  userId: memberships.userId,
  role: memberships.role,
  joinedAt: memberships.createdAt,
  email: users.email,
  name: users.name,
};

/** Oldest members first; the cursor is the user id of the last member seen. */
export function listMembers(ctx: Ctx, orgId: string, limit: number, after?: string) {
  return ctx.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), after ? gt(memberships.userId, after) : undefined))
    .orderBy(asc(memberships.userId))
    .limit(limit + 1);
}

export async function getMember(ctx: Ctx, orgId: string, userId: string) {
  const [m] = await ctx.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!m) throw notFound('Member');
  return m;
}

/** Only owners may make or unmake owners. `callerRole` is null for API keys. */
function assertMayGrant(callerRole: Role | null, role: Role) {
  if (role === 'owner' && callerRole !== 'owner')
    throw forbidden('Only an owner can grant or remove the owner role');
}

/**
 * A write guarded by this condition cannot leave the organization without an owner, even when
 * two owners are demoted or removed at the same moment.
 */
const keepsAnOwner = (orgId: string) =>
  sql`(${memberships.role} != 'owner' OR (SELECT count(*) FROM memberships m WHERE m.org_id = ${orgId} AND m.role = 'owner') > 1)`;

export async function addMember(
  ctx: Ctx,
  orgId: string,
  callerRole: Role | null,
  input: { email: string; role: Role },
) {
  assertMayGrant(callerRole, input.role);
  const [user] = await ctx.db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(input.email)))
    .limit(1);
  if (!user) throw notFound('User with this email (invite them instead)');
  const now = Date.now();
  const inserted = await ctx.db
    .insert(memberships)
    .values({ orgId, userId: user.id, role: input.role, createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0) throw conflict('This user is already a member');
  await activityInsert(ctx, {
    orgId,
    action: 'member.added',
    entityType: 'user',
    entityId: user.id,
    metadata: { role: input.role },
  });
  return getMember(ctx, orgId, user.id);
}

export async function changeMemberRole(
  ctx: Ctx,
  orgId: string,
  callerRole: Role | null,
  userId: string,
  role: Role,
) {
  const member = await getMember(ctx, orgId, userId);
  assertMayGrant(callerRole, role);
  assertMayGrant(callerRole, member.role);
  const changed = await ctx.db
    .update(memberships)
    .set({ role })
    .where(
      and(
        eq(memberships.orgId, orgId),
        eq(memberships.userId, userId),
        role === 'owner' ? undefined : keepsAnOwner(orgId),
      ),
    )
    .returning({ userId: memberships.userId });
  if (changed.length === 0)
    throw conflict('The last owner cannot be demoted; make someone else an owner first');
  forgetMemberships({ orgId, userId });
  await activityInsert(ctx, {
    orgId,
    action: 'member.role_changed',
    entityType: 'user',
    entityId: userId,
    metadata: { from: member.role, to: role },
  });
  return { ...member, role };
}

export async function removeMember(ctx: Ctx, orgId: string, callerRole: Role | null, userId: string) {
  const member = await getMember(ctx, orgId, userId);
  assertMayGrant(callerRole, member.role);
  const removed = await ctx.db
    .delete(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), keepsAnOwner(orgId)))
    .returning({ userId: memberships.userId });
  if (removed.length === 0)
    throw conflict('The last owner cannot be removed; make someone else an owner first');
  forgetMemberships({ orgId, userId });
  await ctx.db.batch([
    ctx.db.delete(teamMembers).where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.userId, userId))),
    activityInsert(ctx, { orgId, action: 'member.removed', entityType: 'user', entityId: userId }),
  ]);
}
