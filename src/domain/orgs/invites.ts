import { and, eq, gt, isNull, lte, type SQL, sql } from 'drizzle-orm';
import { invites, memberships, organizations, users } from '../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError, conflict, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { DAY } from '../../lib/time';
import { activityInsert, activityInsertIf } from '../activity/record';
import type { Role } from '../auth/scopes';
import { normalizeEmail } from '../auth/users';
import { commit } from '../commit';
import type { Ctx, OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { outboxMailer } from '../mail/mailer';

export type Invite = typeof invites.$inferSelect;
export type InviteRole = Exclude<Role, 'owner'>;

const open = (orgId: string) =>
  and(eq(invites.orgId, orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt));

export function listInvites(ctx: OrgCtx, page: PageRequest) {
  const where = and(open(ctx.orgId), gt(invites.expiresAt, Date.now()));
  return pageInOrg(ctx.db, invites, ctx.orgId, page, where, { desc: true });
}

/**
 * How people join an organization: with their consent, by accepting. The answer is the same
 * whether or not the email has an account, so inviting reveals nothing about who is registered.
 * One open invite per email: an expired one is revoked in the same batch, a live one is a conflict.
 */
export async function createInvite(
  ctx: OrgCtx,
  input: { email: string; role: InviteRole; expires_in_days: number },
) {
  const { orgId } = ctx;
  const email = normalizeEmail(input.email);
  const now = Date.now();
  const [existingMember] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .where(eq(users.email, email))
    .limit(1);
  if (existingMember) throw conflict('This person is already a member');

  const token = `inv_${randomToken(32)}`;
  const invite: Invite = {
    id: newId('inv'),
    orgId,
    email,
    role: input.role,
    tokenHash: await sha256Hex(token),
    invitedBy: ctx.actor.id,
    createdAt: now,
    expiresAt: now + input.expires_in_days * DAY,
    acceptedAt: null,
    revokedAt: null,
  };
  await commit(
    ctx.db,
    [
      ctx.db
        .update(invites)
        .set({ revokedAt: now })
        .where(and(open(orgId), eq(invites.email, email), lte(invites.expiresAt, now))),
      ctx.db.insert(invites).values(invite),
      activityInsert(ctx, {
        orgId,
        action: 'invite.created',
        entityType: 'invite',
        entityId: invite.id,
        metadata: { email, role: input.role },
      }),
    ],
    { unique: 'An invite for this email is already open; revoke it first' },
  );
  const [org] = await ctx.db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  await outboxMailer(ctx.db).send({
    to: email,
    subject: `You are invited to ${org?.name ?? 'an organization'} on Foreman`,
    text: `Accept within ${input.expires_in_days} days, signed in as ${email}:\n\nPOST /api/v1/invites/accept {"token": "${token}"}`,
  });
  return { invite, token };
}

/**
 * True while the invite matches `where`. The activity entry written first in a batch under this
 * condition lands exactly when the write after it (under the same `where`) changes the invite.
 */
const inviteWhere = (where: SQL | undefined) => sql`EXISTS (SELECT 1 FROM ${invites} WHERE ${where})`;

export async function revokeInvite(ctx: OrgCtx, inviteId: string) {
  const { orgId } = ctx;
  const where = and(open(orgId), eq(invites.id, inviteId));
  const [, revoked] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      { orgId, action: 'invite.revoked', entityType: 'invite', entityId: inviteId },
      inviteWhere(where),
    ),
    ctx.db.update(invites).set({ revokedAt: Date.now() }).where(where).returning({ id: invites.id }),
  ]);
  if (revoked.length === 0) throw notFound('Open invite');
}

/** The signed-in user accepts with the token from their mail; the invite's email must be theirs. */
export async function acceptInvite(ctx: Ctx, userId: string, token: string) {
  const now = Date.now();
  const [row] = await ctx.db
    .select({ invite: invites, email: users.email })
    .from(invites)
    .innerJoin(users, eq(users.id, userId))
    .innerJoin(organizations, and(eq(organizations.id, invites.orgId), isNull(organizations.deletedAt)))
    .where(eq(invites.tokenHash, await sha256Hex(token)))
    .limit(1);
  if (!row) throw notFound('Invite');
  const { invite } = row;
  if (invite.acceptedAt !== null || invite.revokedAt !== null)
    throw new ApiError('gone', 'This invite was already used or withdrawn');
  if (invite.expiresAt <= now) throw new ApiError('gone', 'This invite has expired; ask for a new one');
  if (invite.email !== row.email) throw forbidden('This invite was sent to another email address');

  // Everything under one condition, checked in the batch before the claim that ends it: of two
  // concurrent accepts only one joins and logs.
  const where = and(eq(invites.id, invite.id), isNull(invites.acceptedAt), isNull(invites.revokedAt));
  const stillOpen = inviteWhere(where);
  const [, , , claimed] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      { orgId: invite.orgId, action: 'invite.accepted', entityType: 'invite', entityId: invite.id },
      stillOpen,
    ),
    activityInsertIf(
      ctx,
      {
        orgId: invite.orgId,
        action: 'member.added',
        entityType: 'user',
        entityId: userId,
        metadata: { role: invite.role, via: 'invite' },
      },
      stillOpen,
    ),
    ctx.db
      .insert(memberships)
      .select(sql`SELECT ${invite.orgId}, ${userId}, ${invite.role}, ${now} WHERE ${stillOpen}`)
      .onConflictDoNothing(),
    ctx.db.update(invites).set({ acceptedAt: now }).where(where).returning({ id: invites.id }),
  ]);
  if (claimed.length === 0) throw new ApiError('gone', 'This invite was already used or withdrawn');
  return { orgId: invite.orgId, role: invite.role };
}
