import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ticketComments } from '../../db/schema';
import { forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { type Role, roleAtLeast } from '../auth/scopes';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageClauses } from '../lookup';
import { getTicket } from './tickets';

export type Comment = typeof ticketComments.$inferSelect;

/** Oldest first, as a conversation reads. */
export async function listComments(ctx: OrgCtx, ticketId: string, page: PageRequest) {
  await getTicket(ctx.db, ctx.orgId, ticketId);
  const p = pageClauses(page, ticketComments.id);
  return ctx.db
    .select()
    .from(ticketComments)
    .where(and(eq(ticketComments.ticketId, ticketId), p.after))
    .orderBy(p.orderBy)
    .limit(p.limit);
}

export async function addComment(ctx: OrgCtx, ticketId: string, body: string) {
  const { orgId } = ctx;
  await getTicket(ctx.db, orgId, ticketId);
  const now = Date.now();
  const row: Comment = {
    id: newId('cmt'),
    orgId,
    ticketId,
    authorType: ctx.actor.type,
    authorId: ctx.actor.id,
    body,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(ticketComments).values(row),
      activityInsert(ctx, {
        orgId,
        action: 'ticket.comment_added',
        entityType: 'ticket',
        entityId: ticketId,
        metadata: { comment_id: row.id },
      }),
    ],
    { foreignKey: () => notFound('Ticket') },
  );
  return row;
}

async function getComment(db: Db, orgId: string, ticketId: string, commentId: string) {
  const [row] = await db
    .select()
    .from(ticketComments)
    .where(
      and(
        eq(ticketComments.orgId, orgId),
        eq(ticketComments.ticketId, ticketId),
        eq(ticketComments.id, commentId),
      ),
    )
    .limit(1);
  if (!row) throw notFound('Comment');
  return row;
}

/** Only the author edits a comment; the author or an admin may delete it. */
export async function editComment(ctx: OrgCtx, ticketId: string, commentId: string, body: string) {
  const { orgId } = ctx;
  const comment = await getComment(ctx.db, orgId, ticketId, commentId);
  if (comment.authorId !== ctx.actor.id) throw forbidden('Only the author can edit a comment');
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(ticketComments)
      .set({ body, updatedAt: Date.now() })
      .where(eq(ticketComments.id, commentId))
      .returning(),
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'ticket.comment_edited',
        entityType: 'ticket',
        entityId: ticketId,
        metadata: { comment_id: commentId },
      },
      sql`EXISTS (SELECT 1 FROM ${ticketComments} WHERE id = ${commentId})`,
    ),
  ]);
  if (!row) throw notFound('Comment');
  return row;
}

export async function deleteComment(
  ctx: OrgCtx,
  ticketId: string,
  commentId: string,
  /** The caller's role; null for API keys, which may delete only their own comments. */
  role: Role | null,
) {
  const { orgId } = ctx;
  const comment = await getComment(ctx.db, orgId, ticketId, commentId);
  if (comment.authorId !== ctx.actor.id && !(role !== null && roleAtLeast(role, 'admin')))
    throw forbidden('Only the author or an admin can delete a comment');
  await ctx.db.batch([
    activityInsert(ctx, {
      orgId,
      action: 'ticket.comment_deleted',
      entityType: 'ticket',
      entityId: ticketId,
      metadata: { comment_id: commentId },
    }),
    ctx.db.delete(ticketComments).where(eq(ticketComments.id, commentId)),
  ]);
}
