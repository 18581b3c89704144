import { z } from '@hono/zod-openapi';
import {
  addComment,
  type Comment,
  deleteComment,
  editComment,
  listComments,
} from '../../domain/work/comments';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { TicketParamsSchema, tags } from './schemas';

const CommentSchema = z
  .object({
    id: z.string().openapi({ example: 'cmt_01hv…' }),
    ticket_id: z.string(),
    author: z.object({ type: z.enum(['user', 'api_key', 'agent', 'system']), id: z.string() }),
    body: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('TicketComment');

const toComment = (r: Comment): z.infer<typeof CommentSchema> => ({
  id: r.id,
  ticket_id: r.ticketId,
  author: { type: r.authorType, id: r.authorId },
  body: r.body,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

const BodySchema = z.object({ body: z.string().trim().min(1).max(20_000) });
const CommentParamsSchema = TicketParamsSchema.extend({ commentId: pathId('commentId', 'cmt_01hv…') });

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/tickets/{ticketId}/comments',
  tags,
  operationId: 'listTicketComments',
  summary: 'A ticket’s comments, oldest first',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: { params: TicketParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(CommentSchema), 'A page of comments') },
});

const addRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/{ticketId}/comments',
  tags,
  operationId: 'addTicketComment',
  summary: 'Comment on a ticket',
  access: { role: 'member', scope: 'tickets:write' },
  idempotent: true,
  request: { params: TicketParamsSchema, body: jsonBody(BodySchema) },
  responses: { 201: jsonResponse(CommentSchema, 'The comment') },
});

const editRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/tickets/{ticketId}/comments/{commentId}',
  tags,
  operationId: 'editTicketComment',
  summary: 'Edit a comment (its author only)',
  access: { role: 'member', scope: 'tickets:write' },
  request: { params: CommentParamsSchema, body: jsonBody(BodySchema) },
  responses: { 200: jsonResponse(CommentSchema, 'The comment') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/tickets/{ticketId}/comments/{commentId}',
  tags,
  operationId: 'deleteTicketComment',
  summary: 'Delete a comment (its author, or an admin)',
  access: { role: 'member', scope: 'tickets:write' },
  request: { params: CommentParamsSchema },
  responses: { 204: noContent },
});

export const ticketCommentsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const q = c.req.valid('query');
    const rows = await listComments(
      c.var.db,
      c.var.org.id,
      ticketId,
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toComment), 200);
  })
  .openapi(addRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const row = await addComment(ctxOf(c), c.var.org.id, ticketId, c.req.valid('json').body);
    return c.json(toComment(row), 201);
  })
  .openapi(editRoute, async (c) => {
    const { ticketId, commentId } = c.req.valid('param');
    const row = await editComment(ctxOf(c), c.var.org.id, ticketId, commentId, c.req.valid('json').body);
    return c.json(toComment(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { ticketId, commentId } = c.req.valid('param');
    await deleteComment(ctxOf(c), c.var.org.id, ticketId, commentId, c.var.org.role);
    return c.body(null, 204);
  });
