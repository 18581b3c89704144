import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { memberships, teamMembers, users } from '../../db/schema';
import { conflict, forbidden, notFound } from '../../lib/errors';
import { activityInsertIf } from '../activity/record';
import { type Role, roleAtLeast } from '../auth/scopes';
import type { Ctx } from '../context';
import { CLOSE_ACCESS_ENDED } from '../streams/owners';
import { endStreams } from '../streams/revocation';
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

/**
 * True while the membership matches `where`. The activity entry written first in a batch under
 * this condition lands exactly when the write after it (under the same `where`) changes the row.
 */
const membershipWhere = (where: SQL | undefined) => sql`EXISTS (SELECT 1 FROM ${memberships} WHERE ${where})`;

/** Members join by accepting an invite (see invites.ts); roles change here. */
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
  const where = and(
    eq(memberships.orgId, orgId),
    eq(memberships.userId, userId),
    role === 'owner' ? undefined : keepsAnOwner(orgId),
  );
  const [, changed] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'member.role_changed',
        entityType: 'user',
        entityId: userId,
        metadata: { from: member.role, to: role },
      },
      membershipWhere(where),
    ),
    ctx.db.update(memberships).set({ role }).where(where).returning({ userId: memberships.userId }),
  ]);
  if (changed.length === 0)
    throw conflict('The last owner cannot be demoted; make someone else an owner first');
  forgetMemberships({ orgId, userId });
  return { ...member, role };
}

/**
 * Any member may leave (`userId` is the caller's own); removing someone else takes the admin role
 * (or an API key with `members:write`), and removing an owner takes an owner.
 */
export async function removeMember(ctx: Ctx, orgId: string, callerRole: Role | null, userId: string) {
  const leaving = ctx.actor.type === 'user' && ctx.actor.id === userId;
  if (!leaving && callerRole !== null && !roleAtLeast(callerRole, 'admin'))
    throw forbidden(`Removing others needs the admin role or higher; you are ${callerRole}`);
  const member = await getMember(ctx, orgId, userId);
  if (!leaving) assertMayGrant(callerRole, member.role);
  const where = and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), keepsAnOwner(orgId));
  const [, , removed] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      { orgId, action: 'member.removed', entityType: 'user', entityId: userId },
      membershipWhere(where),
    ),
    ctx.db
      .delete(teamMembers)
      .where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.userId, userId), membershipWhere(where))),
    ctx.db.delete(memberships).where(where).returning({ userId: memberships.userId }),
  ]);
  if (removed.length === 0)
    throw conflict('The last owner cannot be removed; make someone else an owner first');
  forgetMemberships({ orgId, userId });
  await endStreams(
    ctx,
    { orgId },
    { target: { kind: 'user', userId }, code: CLOSE_ACCESS_ENDED, reason: 'membership ended' },
  );
}
