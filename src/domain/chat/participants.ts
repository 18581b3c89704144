import { and, asc, eq } from 'drizzle-orm';
import { chatParticipants, memberships, users } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import { invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getSession } from './sessions';

/** Shares a session with a member of its organization; sharing twice changes nothing. */
export async function shareSession(ctx: OrgCtx, sessionId: string, userId: string) {
  const session = await getSession(ctx, sessionId);
  const [member] = await ctx.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, ctx.orgId), eq(memberships.userId, userId)))
    .limit(1);
  if (!member) throw invalid('user_id', 'Sessions can only be shared with members of the organization');
  if (session.createdBy === userId) throw conflict('The session’s creator already takes part in it');
  const now = Date.now();
  await commit(ctx.db, [
    ctx.db
      .insert(chatParticipants)
      .values({ sessionId, orgId: ctx.orgId, userId, addedBy: ctx.actor.id, createdAt: now })
      .onConflictDoNothing(),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'chat_session.shared',
      entityType: 'chat_session',
      entityId: sessionId,
      metadata: { user_id: userId },
    }),
  ]);
  return listParticipants(ctx, sessionId);
}

/** The creator (when a user) and every member the session was shared with. */
export async function listParticipants(ctx: OrgCtx, sessionId: string) {
  const session = await getSession(ctx, sessionId);
  const shared = await ctx.db
    .select({
      userId: chatParticipants.userId,
      name: users.name,
      email: users.email,
      addedBy: chatParticipants.addedBy,
      createdAt: chatParticipants.createdAt,
    })
    .from(chatParticipants)
    .innerJoin(users, eq(users.id, chatParticipants.userId))
    .where(eq(chatParticipants.sessionId, sessionId))
    .orderBy(asc(chatParticipants.createdAt));
  const [creator] = await ctx.db
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, session.createdBy))
    .limit(1);
  return [
    ...(creator
      ? [{ ...creator, role: 'creator' as const, addedBy: null, createdAt: session.createdAt }]
      : []),
    ...shared.map((p) => ({ ...p, role: 'participant' as const })),
  ];
}

export async function removeParticipant(ctx: OrgCtx, sessionId: string, userId: string) {
  await getSession(ctx, sessionId);
  const which = and(eq(chatParticipants.sessionId, sessionId), eq(chatParticipants.userId, userId));
  const [found] = await ctx.db
    .select({ userId: chatParticipants.userId })
    .from(chatParticipants)
    .where(which)
    .limit(1);
  if (!found) throw notFound('Participant');
  await commit(ctx.db, [
    ctx.db.delete(chatParticipants).where(which),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'chat_session.participant_removed',
      entityType: 'chat_session',
      entityId: sessionId,
      metadata: { user_id: userId },
    }),
  ]);
}
