import { and, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type IdRef, prepared, read, readTogether } from '../../db/reads';
import { chatParticipants, chatSessions, type MultitaskPolicy, tickets } from '../../db/schema';
import { forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertAgentInOrg, assertProjectInOrg, containsPattern, invalid } from '../agents/shared';
import { roleAtLeast } from '../auth/scopes';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { deleteAttachments } from './attachments';

export type SessionRow = typeof chatSessions.$inferSelect;

export const sessionObject = (ctx: { env: OrgCtx['env'] }, sessionId: string) =>
  ctx.env.CHAT_SESSION.get(ctx.env.CHAT_SESSION.idFromName(sessionId));

/**
 * A session is visible to whoever created it and to the members it was shared with (its
 * participants); to everyone else it does not exist (404), whatever their role.
 */
export const visibleTo = (actorId: string | SQLWrapper): SQL =>
  sql`(${chatSessions.createdBy} = ${actorId} OR EXISTS (SELECT 1 FROM ${chatParticipants}
    WHERE ${chatParticipants.sessionId} = ${chatSessions.id} AND ${chatParticipants.userId} = ${actorId}))`;

/** The session by id in an organization (visible to the caller or not). */
export const theSession = (orgId: IdRef, sessionId: IdRef) =>
  and(eq(chatSessions.orgId, orgId), eq(chatSessions.id, sessionId));

/** Prepared: every stream and page of messages reads it. */
const visibleSession = prepared(['orgId', 'sessionId', 'actorId'], (db, p) =>
  db
    .select()
    .from(chatSessions)
    .where(and(theSession(p.orgId, p.sessionId), visibleTo(p.actorId)))
    .limit(1),
);

/** The session, if the caller may see it (404 otherwise). */
export async function getSession(ctx: OrgCtx, sessionId: string): Promise<SessionRow> {
  const visible = visibleSession(ctx.db, { orgId: ctx.orgId, sessionId, actorId: ctx.actor.id });
  const [[row]] = await readTogether(ctx.db, [read(visible, (rows) => rows)]);
  if (!row) throw notFound('Chat session');
  return row;
}

/**
 * The session's agent as a query on its row, for reads in the same batch as the session's own
 * (a send's, see `sendReads`): they need not wait for it. It does not check visibility; the
 * session's read does.
 */
export const sessionAgent = (db: Db, orgId: IdRef, sessionId: IdRef) =>
  db.select({ id: chatSessions.agentId }).from(chatSessions).where(theSession(orgId, sessionId));

export interface SessionInput {
  agentId: string;
  projectId: string | null;
  ticketId: string | null;
  title: string;
  multitask: MultitaskPolicy;
}

export async function createSession(ctx: OrgCtx, input: SessionInput): Promise<SessionRow> {
  await assertAgentInOrg(ctx.db, ctx.orgId, input.agentId);
  if (input.projectId) await assertProjectInOrg(ctx.db, ctx.orgId, input.projectId);
  if (input.ticketId) {
    const [t] = await ctx.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(eq(tickets.orgId, ctx.orgId), eq(tickets.id, input.ticketId)))
      .limit(1);
    if (!t) throw invalid('ticket_id', 'No such ticket in this organization');
  }
  const now = Date.now();
  const row: SessionRow = {
    id: newId('chs'),
    orgId: ctx.orgId,
    ...input,
    archived: false,
    createdBy: ctx.actor.id,
    lastMessageAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const log = activityInsert(ctx, {
    orgId: ctx.orgId,
    action: 'chat_session.created',
    entityType: 'chat_session',
    entityId: row.id,
    metadata: { agent_id: row.agentId, title: row.title },
  });
  await commit(ctx.db, [ctx.db.insert(chatSessions).values(row), log]);
  return row;
}

export interface SessionFilter {
  agentId?: string;
  projectId?: string;
  participant?: string;
  archived?: boolean;
  q?: string;
}

export function listSessions(ctx: OrgCtx, f: SessionFilter, page: PageRequest) {
  const where = and(
    visibleTo(ctx.actor.id),
    f.agentId ? eq(chatSessions.agentId, f.agentId) : undefined,
    f.projectId ? eq(chatSessions.projectId, f.projectId) : undefined,
    f.archived === undefined ? undefined : eq(chatSessions.archived, f.archived),
    f.q ? sql`${chatSessions.title} LIKE ${containsPattern(f.q)} ESCAPE '\\'` : undefined,
    f.participant ? visibleTo(f.participant) : undefined,
  );
  return pageInOrg(ctx.db, chatSessions, ctx.orgId, page, where);
}

export async function updateSession(
  ctx: OrgCtx,
  sessionId: string,
  patch: Partial<Pick<SessionRow, 'title' | 'archived' | 'multitask'>>,
): Promise<SessionRow> {
  const current = await getSession(ctx, sessionId);
  const next = { ...current, ...patch, updatedAt: Date.now() };
  await commit(ctx.db, [
    ctx.db
      .update(chatSessions)
      .set({
        title: next.title,
        archived: next.archived,
        multitask: next.multitask,
        updatedAt: next.updatedAt,
      })
      .where(eq(chatSessions.id, sessionId)),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'chat_session.updated',
      entityType: 'chat_session',
      entityId: sessionId,
      metadata: { ...patch },
    }),
  ]);
  return next;
}

/** Its creator or an admin may delete a session; its messages and files go with it. */
export async function deleteSession(ctx: OrgCtx, sessionId: string) {
  const row = await getSession(ctx, sessionId);
  const admin = ctx.org.role !== null && roleAtLeast(ctx.org.role, 'admin');
  if (row.createdBy !== ctx.actor.id && !admin)
    throw forbidden('Only the creator of a chat session or an admin may delete it');
  await commit(ctx.db, [
    ctx.db.delete(chatSessions).where(eq(chatSessions.id, sessionId)),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'chat_session.deleted',
      entityType: 'chat_session',
      entityId: sessionId,
      metadata: { title: row.title },
    }),
  ]);
  await Promise.all([
    sessionObject(ctx, sessionId).erase(),
    deleteAttachments(ctx.env, ctx.orgId, sessionId),
  ]);
}

/** Listing order follows activity: a sent message moves the session's `last_message_at`. */
export async function touchSession(ctx: OrgCtx, sessionId: string, at: number) {
  await ctx.db.update(chatSessions).set({ lastMessageAt: at }).where(eq(chatSessions.id, sessionId));
}
