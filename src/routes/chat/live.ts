import { z } from '@hono/zod-openapi';
import { relayed } from '../../domain/agents/events';
import { answerApproval, cancelReply } from '../../domain/chat/live';
import { PARTICIPANT_HEADER } from '../../domain/chat/protocol';
import { getSession, sessionObject } from '../../domain/chat/sessions';
import { ownerHeader, streamOwner } from '../../domain/streams/owners';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { pathId } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadChat, canWriteChat, SessionParamsSchema, tags, VISIBILITY } from './schemas';

const PROTOCOL =
  'Send `Upgrade: websocket` for a WebSocket; otherwise the answer is a Server-Sent Events stream. ' +
  'Every stored event has a sequence number (`seq`; the SSE `id:`): `message` (a participant’s ' +
  'message), `frame` (a frame of a streaming reply, with its `reply_id`), `message_deleted`. Resume ' +
  'by position with `?after=<seq>` or `Last-Event-ID`; the log keeps the newest 5,000 positions (the ' +
  'messages themselves are kept), and a resume from an older one first says so: SSE event `gap` ' +
  '(WebSocket `{"op":"gap"}`) with `after`, `dropped` and `oldest_seq`. WebSocket: the server sends ' +
  '`{"op":"ready","latest_seq","online"}`, then `{"op":"event","event":{…}}` and presence ' +
  '`{"op":"presence","user_id","state":"join|leave|typing"}`; the client may send `{"op":"typing"}`, ' +
  '`{"op":"resume","after":<seq>}` and the text `ping` (answered `pong`). The stream ends when the ' +
  'credential it was opened with does: a WebSocket closes with 4401 (session or API key revoked, ' +
  'rolled, deleted or expired) or 4403 (membership or organization ended) and a reason; SSE ends ' +
  'with `event: closed` and `{"code","reason"}`.';

const streamRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/stream',
  tags,
  operationId: 'streamChatSession',
  summary: 'Everything happening in a session, live: messages, streaming replies, presence',
  description: `${VISIBILITY} ${PROTOCOL}`,
  access: canReadChat,
  request: {
    params: SessionParamsSchema,
    query: z.object({ after: z.coerce.number().int().min(0).optional() }),
    headers: z.object({ 'last-event-id': z.coerce.number().int().min(0).optional() }),
  },
  responses: {
    101: { description: 'Switched to a WebSocket' },
    200: {
      description: 'A Server-Sent Events stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
  },
});

const cancelRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/cancel',
  tags,
  operationId: 'cancelChatReply',
  summary: 'Stop the reply in progress (409 if none); it ends with an `{error}` frame, its text kept',
  description: VISIBILITY,
  access: canWriteChat,
  conflicts: true,
  request: { params: SessionParamsSchema },
  responses: { 200: jsonResponse(z.object({ cancelled: z.string() }), 'The reply that was stopped') },
});

const approvalRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/approvals/{approvalId}',
  tags,
  operationId: 'answerChatApproval',
  summary: 'Approve or reject a tool call the reply waits on; the reply then goes on',
  description: `${VISIBILITY} A rejected (or expired) call is reported to the model as refused, with the reason. 409 if it was already answered or has expired.`,
  access: canWriteChat,
  conflicts: true,
  request: {
    params: SessionParamsSchema.extend({ approvalId: pathId('approvalId', 'apr_01hv…') }),
    body: jsonBody(
      z.object({
        decision: z.enum(['approve', 'reject']),
        reason: z.string().trim().max(1000).nullable().default(null),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        id: z.string(),
        tool: z.string(),
        status: z.enum(['approved', 'rejected']),
        reply_id: z.string(),
      }),
      'The answer',
    ),
  },
});

export const liveRouter = createRouter()
  .openapi(streamRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    await getSession(c.var.ctx, sessionId);
    const after = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').after;
    const url = `https://chat.internal/stream${after === undefined ? '' : `?after=${after}`}`;
    const headers: Record<string, string> = {
      [PARTICIPANT_HEADER]: c.var.ctx.actor.id,
      // The stream closes when the credential it was opened with ends.
      ...ownerHeader(streamOwner(c.var.principal, c.var.ctx.orgId)),
    };
    if (c.req.header('Upgrade')?.toLowerCase() === 'websocket') headers.Upgrade = 'websocket';
    return relayed(await sessionObject(c.var.ctx, sessionId).fetch(url, { headers }));
  })
  .openapi(cancelRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json({ cancelled: await cancelReply(c.var.ctx, sessionId) }, 200);
  })
  .openapi(approvalRoute, async (c) => {
    const { sessionId, approvalId } = c.req.valid('param');
    const { decision, reason } = c.req.valid('json');
    const a = await answerApproval(c.var.ctx, sessionId, approvalId, decision === 'approve', reason);
    return c.json(
      { ...a, status: a.status === 'approved' ? ('approved' as const) : ('rejected' as const) },
      200,
    );
  });
