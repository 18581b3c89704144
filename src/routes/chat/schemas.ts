import { z } from '@hono/zod-openapi';
import { MULTITASK_POLICIES } from '../../db/schema';
import { type ChatMessage, MESSAGE_STATUSES } from '../../domain/chat/protocol';
import type { SessionRow } from '../../domain/chat/sessions';
import { OrgParamsSchema, pathId } from '../../http/params';
import type { Access } from '../../http/route';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Chat'];

export const canReadChat: Access = { role: 'viewer', scope: 'chat:read' };
export const canWriteChat: Access = { role: 'member', scope: 'chat:write' };

/** Said on every session route, so no client mistakes sessions for organization-wide. */
export const VISIBILITY =
  'A session is visible only to its creator and the members it was shared with (its participants); ' +
  'to anyone else, admins included, it answers 404 like a missing one.';

export const SessionParamsSchema = OrgParamsSchema.extend({ sessionId: pathId('sessionId', 'chs_01hv…') });
export const MessageParamsSchema = SessionParamsSchema.extend({
  messageId: pathId('messageId', 'msg_01hv…'),
});

export const MultitaskSchema = z.enum(MULTITASK_POLICIES).openapi({
  description:
    'What a message sent while a reply runs does: `reject` (409 naming the running reply), `enqueue` ' +
    '(answered after it), `interrupt` (the running reply stops, its text kept and marked `interrupted`)',
});

export const SessionSchema = z
  .object({
    id: z.string().openapi({ example: 'chs_01hv…' }),
    agent_id: z.string(),
    project_id: z.string().nullable(),
    ticket_id: z.string().nullable(),
    title: z.string(),
    multitask: MultitaskSchema,
    archived: z.boolean(),
    created_by: z.string(),
    last_message_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('ChatSession');

export const toSession = (r: SessionRow): z.infer<typeof SessionSchema> => ({
  id: r.id,
  agent_id: r.agentId,
  project_id: r.projectId,
  ticket_id: r.ticketId,
  title: r.title,
  multitask: r.multitask,
  archived: r.archived,
  created_by: r.createdBy,
  last_message_at: isoOrNull(r.lastMessageAt),
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

export const MessageSchema = z
  .object({
    id: z.string().openapi({ example: 'msg_01hv…' }),
    seq: z
      .number()
      .int()
      .openapi({ description: 'Position in the session; message cursors are built from it' }),
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    author: z.object({ type: z.string(), id: z.string() }).nullable(),
    status: z.enum(MESSAGE_STATUSES).openapi({
      description:
        '`interrupted`: stopped by a newer message (its text so far kept); `cancelled`, `failed`: see `note`',
    }),
    reply_id: z.string().nullable().openapi({ description: 'For a user message: the reply answering it' }),
    in_reply_to: z.string().nullable().openapi({ description: 'For a reply: the user message it answers' }),
    attachments: z.array(
      z.object({ name: z.string(), content_type: z.string(), size: z.number().int(), key: z.string() }),
    ),
    tool_calls: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        args: z.unknown(),
        status: z.string(),
        result: z.unknown().optional(),
      }),
    ),
    note: z
      .string()
      .nullable()
      .openapi({ description: 'Why a reply ended early, or what history it left out' }),
    created_at: z.iso.datetime(),
  })
  .openapi('ChatMessage');

export const toMessage = (m: ChatMessage): z.infer<typeof MessageSchema> => m;
