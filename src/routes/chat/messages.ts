import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { relayed } from '../../domain/agents/events';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../domain/chat/attachments';
import { MAX_STEPS } from '../../domain/chat/context';
import { replyStream } from '../../domain/chat/live';
import { deleteMessage, pageMessages, replyIdOf } from '../../domain/chat/messages';
import { sendMessage } from '../../domain/chat/send';
import { streamOwner } from '../../domain/streams/owners';
import type { AppEnv } from '../../env';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema } from '../../http/pagination';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { sha256Hex } from '../../lib/crypto';
import { IdempotencyKeySchema } from '../../middleware/idempotency';
import {
  canReadChat,
  canWriteChat,
  MessageParamsSchema,
  MessageSchema,
  MultitaskSchema,
  SessionParamsSchema,
  tags,
  VISIBILITY,
} from './schemas';

const FRAMES =
  'The answer is `text/event-stream`: one `data:` JSON frame per event, each with an `id:` — `{content}` ' +
  '(a chunk of text), `{tool_use, tool_call_id, status: started|finished|failed}`, ' +
  '`{approval_required, tool, args, approval_id}` (the reply waits for `POST …/approvals/{approvalId}`), ' +
  'then `{done: true}` or `{error, kind}` (budget, provider failure, cancellation, interruption). ' +
  'A dropped client resumes the same reply with `GET …/messages/{messageId}/stream` and `Last-Event-ID` ' +
  '(or `?after=`): nothing is lost or repeated. The reply runs in the session, not in this request: it ' +
  'finishes and is stored even if the client goes away. With `?protocol=ui` (or header ' +
  '`X-Chat-Protocol: ui`) the same reply comes in the Vercel AI SDK UI message stream protocol, for `useChat`. ' +
  'The stream (not the reply) ends early when the credential it was opened with does: with ' +
  '`event: closed` and `{"code": 4401 or 4403, "reason"}` (in the UI protocol, an `error` chunk).';

const ProtocolQuery = z.object({
  protocol: z
    .enum(['foreman', 'ui'])
    .optional()
    .openapi({ description: '`ui`: the Vercel AI SDK UI message stream protocol (v1)' }),
});
const ProtocolHeaders = z.object({
  'x-chat-protocol': z.enum(['foreman', 'ui']).optional().openapi({ description: 'As `?protocol=`' }),
  'last-event-id': z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'Resume after this frame id' }),
});

const IdempotencyKeyHeader = z.object({
  'idempotency-key': IdempotencyKeySchema.optional().openapi({
    description:
      'Makes the send safe to retry: a repeat with the same key and body stores and starts nothing and ' +
      'answers the same message, streaming its reply from the start (live if it still runs); the same ' +
      'key with another body is refused (422). Keys are per sender and remembered for 24 hours.',
  }),
});

const streamResponse = {
  description: 'The reply, as Server-Sent Events',
  headers: {
    'Idempotent-Replayed': {
      description: 'Present (`true`) when an earlier send with the same `Idempotency-Key` is answered again',
      schema: { type: 'string' as const, enum: ['true'] },
    },
    'X-Message-Id': { description: 'The user message stored', schema: { type: 'string' as const } },
    'X-Reply-Id': {
      description: 'The reply streamed (resume it by this id)',
      schema: { type: 'string' as const },
    },
  },
  content: { 'text/event-stream': { schema: z.string() } },
};

const MessagePageSchema = z.object({
  data: z.array(MessageSchema),
  next_cursor: z
    .string()
    .nullable()
    .openapi({ description: 'Newer messages; null when this page is the newest' }),
  prev_cursor: z
    .string()
    .nullable()
    .openapi({ description: 'Older messages; null when this page is the oldest' }),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/messages',
  tags,
  operationId: 'listChatMessages',
  summary: 'The session’s messages in order, paginated both ways',
  description: `${VISIBILITY} \`from=latest\` starts at the newest page; \`prev_cursor\` walks back, \`next_cursor\` forward.`,
  access: canReadChat,
  request: {
    params: SessionParamsSchema,
    query: PageQuerySchema.extend({
      from: z
        .enum(['oldest', 'latest'])
        .default('oldest')
        .openapi({ description: 'Where the first page starts' }),
    }),
  },
  responses: { 200: jsonResponse(MessagePageSchema, 'A page of messages') },
});

/** The AI SDK's `useChat` sends its whole conversation; the last user message's text is what is new. */
const UiMessage = z.object({
  id: z.string().max(200).optional(),
  role: z.string().max(20),
  parts: z
    .array(z.object({ type: z.string().max(50), text: z.string().max(100_000).optional() }).passthrough())
    .max(1000),
});

const sendRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/messages',
  tags,
  operationId: 'sendChatMessage',
  summary: 'Send a message and stream the agent’s reply',
  description: `${VISIBILITY} ${FRAMES}`,
  access: canWriteChat,
  conflicts: true,
  request: {
    params: SessionParamsSchema,
    query: ProtocolQuery,
    headers: ProtocolHeaders.pick({ 'x-chat-protocol': true }).extend(IdempotencyKeyHeader.shape),
    body: jsonBody(
      z
        .object({
          content: z.string().min(1).max(100_000).optional(),
          attachments: z.array(z.string().max(64)).max(MAX_ATTACHMENTS_PER_MESSAGE).default([]),
          multitask: MultitaskSchema.optional().openapi({ description: 'For this message only' }),
          max_steps: z
            .number()
            .int()
            .min(1)
            .max(MAX_STEPS * 4)
            .optional(),
          messages: z.array(UiMessage).max(1000).optional().openapi({ description: 'As `useChat` sends it' }),
          id: z.string().max(200).optional(),
          trigger: z.string().max(50).optional(),
          messageId: z.string().max(200).optional(),
        })
        .refine((b) => b.content !== undefined || b.messages?.some((m) => m.role === 'user'), {
          message: 'Send `content` (or `messages` with a user message, as useChat does)',
          path: ['content'],
        }),
    ),
  },
  responses: { 200: streamResponse },
});

const replyStreamRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/messages/{messageId}/stream',
  tags,
  operationId: 'streamChatReply',
  summary: 'A reply’s frames (of the reply itself, or the reply to a user message), resumable',
  description: `${VISIBILITY} Replays the frames after \`Last-Event-ID\` (or \`?after=\`), then streams the rest live; a finished reply ends after the replay. If frames after that position were trimmed from the session's log, a \`gap\` event (in the UI protocol, an error chunk) says so first; the stored message keeps the reply's text.`,
  access: canReadChat,
  request: {
    params: MessageParamsSchema,
    query: ProtocolQuery.extend({ after: z.coerce.number().int().min(0).optional() }),
    headers: ProtocolHeaders,
  },
  responses: { 200: streamResponse },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/chat/sessions/{sessionId}/messages/{messageId}',
  tags,
  operationId: 'deleteChatMessage',
  summary: 'Delete one message (a reply in progress is stopped first)',
  description: VISIBILITY,
  access: canWriteChat,
  request: { params: MessageParamsSchema },
  responses: { 204: noContent },
});

function protocolOf(c: Context<AppEnv>, q: { protocol?: 'foreman' | 'ui' }) {
  return q.protocol ?? (c.req.header('X-Chat-Protocol') === 'ui' ? 'ui' : 'foreman');
}

export const messagesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    return c.json(await pageMessages(c.var.ctx, sessionId, c.req.valid('query')), 200);
  })
  .openapi(sendRoute, async (c) => {
    const { sessionId } = c.req.valid('param');
    const b = c.req.valid('json');
    const fromUi = b.messages?.filter((m) => m.role === 'user').at(-1);
    const content =
      b.content ??
      fromUi?.parts.flatMap((p) => (p.type === 'text' && p.text ? [p.text] : [])).join('\n') ??
      '';
    const key = c.req.valid('header')['idempotency-key'];
    const ui =
      protocolOf(c, c.req.valid('query')) === 'ui' || (b.messages !== undefined && b.content === undefined);
    const res = await sendMessage(c.var.ctx, sessionId, {
      content,
      attachments: b.attachments,
      multitask: b.multitask,
      maxSteps: b.max_steps,
      idempotency: key ? { key, fingerprint: await sha256Hex(JSON.stringify(b)) } : undefined,
      // The stream closes when the credential it was opened with ends; the reply goes on regardless.
      stream: { owner: streamOwner(c.var.principal, c.var.ctx.orgId), ui },
    });
    return relayed(res);
  })
  .openapi(replyStreamRoute, async (c) => {
    const { sessionId, messageId } = c.req.valid('param');
    const q = c.req.valid('query');
    const replyId = await replyIdOf(c.var.ctx, sessionId, messageId);
    // Last-Event-ID wins: an EventSource reconnects to the same URL with the header set.
    const after = c.req.valid('header')['last-event-id'] ?? q.after ?? 0;
    const owner = streamOwner(c.var.principal, c.var.ctx.orgId);
    return relayed(
      await replyStream(c.var.ctx, sessionId, replyId, { after, ui: protocolOf(c, q) === 'ui', owner }),
    );
  })
  .openapi(deleteRoute, async (c) => {
    const { sessionId, messageId } = c.req.valid('param');
    await deleteMessage(c.var.ctx, sessionId, messageId);
    return c.body(null, 204);
  });
