import { z } from '@hono/zod-openapi';
import { listParticipants, removeParticipant, shareSession } from '../../domain/chat/participants';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { pathId } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { canReadChat, canWriteChat, SessionParamsSchema, tags, VISIBILITY } from './schemas';

const ParticipantSchema = z
  .object({
    user_id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['creator', 'participant']),
    added_by: z.string().nullable(),
    added_at: z.iso.datetime(),
  })
  .openapi('ChatParticipant');

const ParticipantsSchema = z.object({ data: z.array(ParticipantSchema) });

type Row = Awaited<ReturnType<typeof listParticipants>>[number];
const toParticipants = (rows: Row[]) => ({
  data: rows.map((p) => ({
    user_id: p.userId,
    name: p.name,
    email: p.email,
    role: p.role,
    added_by: p.addedBy,
    added_at: iso(p.createdAt),
  })),
});

const shareRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/share',
  tags,
  operationId: 'shareChatSession',
  summary: 'Share a chat session with a member of the organization, who becomes a participant',
  description: `${VISIBILITY} Only members of the organization can be added (422 otherwise).`,
  access: canWriteChat,
  conflicts: true,
  request: {
    params: SessionParamsSchema,
    body: jsonBody(z.object({ user_id: z.string().max(64) })),
  },
  responses: { 200: jsonResponse(ParticipantsSchema, 'Everyone who takes part now') },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/participants',
  tags,
  operationId: 'listChatParticipants',
  summary: 'Who takes part in a chat session: its creator and the members it was shared with',
  description: VISIBILITY,
  access: canReadChat,
  request: { params: SessionParamsSchema },
  responses: { 200: jsonResponse(ParticipantsSchema, 'The participants') },
});

const removeRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/participants/{userId}',
  tags,
  operationId: 'removeChatParticipant',
  summary: 'Stop sharing a chat session with a member (they no longer see it)',
  description: VISIBILITY,
  access: canWriteChat,
  request: { params: SessionParamsSchema.extend({ userId: pathId('userId', 'usr_01hv…') }) },
  responses: { 204: noContent },
});

export const participantsRouter = createRouter()
  .openapi(shareRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    const rows = await shareSession(c.var.ctx, sessionId, c.req.valid('json').user_id);
    return c.json(toParticipants(rows), 200);
  })
  .openapi(listRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(toParticipants(await listParticipants(c.var.ctx, sessionId)), 200);
  })
  .openapi(removeRoute, async (c) => {
    const { sessionId, userId } = c.req.valid('param');
    await removeParticipant(c.var.ctx, sessionId, userId);
    return c.body(null, 204);
  });
