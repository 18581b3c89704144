import { z } from '@hono/zod-openapi';
import {
  createSession,
  deleteSession,
  getSession,
  listSessions,
  updateSession,
} from '../../domain/chat/sessions';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  canReadChat,
  canWriteChat,
  MultitaskSchema,
  SessionParamsSchema,
  SessionSchema,
  tags,
  toSession,
  VISIBILITY,
} from './schemas';

const id = z.string().max(64);
const Title = z.string().trim().min(1).max(200);

const ListQuerySchema = PageQuerySchema.extend({
  agent_id: id.optional().openapi({ description: 'Only sessions with this agent' }),
  project_id: id.optional().openapi({ description: 'Only sessions about this project' }),
  participant: id.optional().openapi({ description: 'Only sessions this user created or takes part in' }),
  archived: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ description: 'Only archived (`true`) or only active (`false`) sessions; both when absent' }),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'Text the title contains' }),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions',
  tags,
  operationId: 'listChatSessions',
  summary: 'The chat sessions the caller can see, oldest first, with filters',
  description: VISIBILITY,
  access: canReadChat,
  request: { params: OrgParamsSchema, query: ListQuerySchema },
  responses: { 200: jsonResponse(pageOf(SessionSchema), 'A page of sessions') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions',
  tags,
  operationId: 'createChatSession',
  summary: 'Start a chat session with an agent, optionally about a project or ticket',
  description: VISIBILITY,
  access: canWriteChat,
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z.object({
        agent_id: id,
        project_id: id.nullable().default(null),
        ticket_id: id.nullable().default(null),
        title: Title.default('New chat'),
        multitask: MultitaskSchema.default('reject'),
      }),
    ),
  },
  responses: { 201: jsonResponse(SessionSchema, 'The session') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}',
  tags,
  operationId: 'getChatSession',
  summary: 'A chat session',
  description: VISIBILITY,
  access: canReadChat,
  request: { params: SessionParamsSchema },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}',
  tags,
  operationId: 'updateChatSession',
  summary: 'Rename a chat session or change its multitask policy',
  description: VISIBILITY,
  access: canWriteChat,
  request: {
    params: SessionParamsSchema,
    body: jsonBody(z.object({ title: Title.optional(), multitask: MultitaskSchema.optional() }).strict()),
  },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}',
  tags,
  operationId: 'deleteChatSession',
  summary: 'Delete a chat session with its messages and files (its creator or an admin)',
  description: `${VISIBILITY} Its connected clients are disconnected and its object's storage erased.`,
  access: canWriteChat,
  request: { params: SessionParamsSchema },
  responses: { 204: noContent },
});

const archiveRoute = (archived: boolean) =>
  orgRoute({
    method: 'post',
    path: `/orgs/{orgId}/chat/sessions/{sessionId}/${archived ? 'archive' : 'unarchive'}`,
    tags,
    operationId: archived ? 'archiveChatSession' : 'unarchiveChatSession',
    summary: archived
      ? 'Archive a chat session: kept and readable, but it takes no new messages'
      : 'Bring an archived chat session back',
    description: VISIBILITY,
    access: canWriteChat,
    request: { params: SessionParamsSchema },
    responses: { 200: jsonResponse(SessionSchema, 'The session') },
  });

export const sessionsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      agentId: q.agent_id,
      projectId: q.project_id,
      participant: q.participant,
      archived: q.archived,
      q: q.q,
    };
    return c.json(await paged(c.env, q, (p) => listSessions(c.var.ctx, filter, p), toSession), 200);
  })
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await createSession(c.var.ctx, {
      agentId: b.agent_id,
      projectId: b.project_id,
      ticketId: b.ticket_id,
      title: b.title,
      multitask: b.multitask,
    });
    return c.json(toSession(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(toSession(await getSession(c.var.ctx, sessionId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(toSession(await updateSession(c.var.ctx, sessionId, c.req.valid('json'))), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    await deleteSession(c.var.ctx, sessionId);
    return c.body(null, 204);
  })
  .openapi(archiveRoute(true), async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(toSession(await updateSession(c.var.ctx, sessionId, { archived: true })), 200);
  })
  .openapi(archiveRoute(false), async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(toSession(await updateSession(c.var.ctx, sessionId, { archived: false })), 200);
  });
