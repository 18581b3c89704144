import { z } from '@hono/zod-openapi';
import { AGENT_STATUSES } from '../../db/schema';
import type { AgentRow } from '../../domain/agents/shared';
import { CHANNEL_PATTERN, MAX_CHANNELS } from '../../domain/streams/protocol';
import { commaList, OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const AgentParamsSchema = OrgParamsSchema.extend({ agentId: pathId('agentId', 'agt_01hv…') });

export const AgentStatusSchema = z.enum(AGENT_STATUSES);

/** A model of the organization's registry, in an agent's or a role's body; null clears it. */
export const ModelIdSchema = z.string().min(1).max(64).nullable().optional().openapi({
  description: 'A model of the organization’s registry (`…/models`); null for none',
  example: 'mdl_01hv…',
});

export const AgentSchema = z
  .object({
    id: z.string().openapi({ description: 'The agent id', example: 'agt_01hv…' }),
    name: z.string().openapi({
      description:
        'Unique name in the organization: lowercase letters, digits, `.`, `_` and `-`; used to match and mention it',
      example: 'felix',
    }),
    display_name: z.string().openapi({ description: 'The name people see', example: 'Felix' }),
    description: z.string().nullable().openapi({ description: 'What the agent is for; null when not given' }),
    role_id: z.string().nullable().openapi({
      description:
        'The role whose prompt template, skills, modes and MCP servers the agent uses; null for none',
    }),
    model: z.string().nullable().openapi({
      description: 'The model the agent calls (e.g. `claude-sonnet-4-5`); null for the organization default',
    }),
    model_id: z.string().nullable().openapi({
      description:
        'The registry model (`…/models`) the gateway uses for the agent, before its role’s, routing and the default; null for none',
    }),
    tags: z
      .array(z.string())
      .openapi({ description: 'Labels to group agents and to find them with `agent-tags/match`' }),
    config: z.record(z.string(), z.unknown()).openapi({
      description: 'Free-form configuration the agent runtime reads (a JSON object, size-limited)',
    }),
    emoji: z.string().nullable().openapi({ description: 'An emoji shown next to the agent; null for none' }),
    color: z
      .string()
      .nullable()
      .openapi({ description: 'A colour (`#RRGGBB`) shown with the agent; null for none' }),
    status: AgentStatusSchema.openapi({
      description:
        'Where the agent is in its lifecycle; changed by `start`, `stop`, `pause`, `resume`, `restart` and heartbeats',
    }),
    status_changed_at: z.iso.datetime().openapi({ description: 'When `status` last changed' }),
    current_task: z.string().nullable().openapi({
      description: 'What the agent reports it is working on (from heartbeats); null when nothing',
    }),
    last_heartbeat_at: z.iso.datetime().nullable().openapi({
      description:
        'When the agent runtime last sent a heartbeat; null if never. Agents silent too long become `offline`',
    }),
    template_id: z
      .string()
      .nullable()
      .openapi({ description: 'The agent template it was created from; null otherwise' }),
    created_by: z.string().openapi({
      description: 'Who created it: a user id (`usr_…`) or, when a program did, an API key id (`key_…`)',
    }),
    created_at: z.iso.datetime().openapi({ description: 'When it was created' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
  })
  .openapi('Agent');

export const toAgent = (a: AgentRow): z.infer<typeof AgentSchema> => ({
  id: a.id,
  name: a.name,
  display_name: a.displayName,
  description: a.description,
  role_id: a.roleId,
  model: a.model,
  model_id: a.modelId,
  tags: a.tags,
  config: a.config,
  emoji: a.emoji,
  color: a.color,
  status: a.status,
  status_changed_at: iso(a.statusChangedAt),
  current_task: a.currentTask,
  last_heartbeat_at: isoOrNull(a.lastHeartbeatAt),
  template_id: a.templateId,
  created_by: a.createdBy,
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});

export const ChannelSchema = z.string().max(64).regex(CHANNEL_PATTERN);

export const ChannelsQuery = commaList(
  ChannelSchema,
  MAX_CHANNELS,
  'Event types to receive, comma-separated; `agent.*` matches a prefix and `*` (the default) everything',
).optional();

export const StreamEventSchema = z
  .object({
    seq: z
      .number()
      .int()
      .openapi({ description: 'Sequence number in this stream: only grows, never reused' }),
    type: z.string().openapi({ example: 'agent.message' }),
    agent_id: z.string(),
    agent_seq: z.number().int().openapi({ description: "Sequence number in the agent's own hub" }),
    payload: z.record(z.string(), z.unknown()),
    time: z.iso.datetime(),
  })
  .openapi('AgentEvent');

export const GapSchema = z
  .object({
    dropped: z.number().int().openapi({ description: 'Events after the cursor no longer held' }),
    oldest_seq: z.number().int().openapi({ description: 'The oldest sequence number still held' }),
  })
  .openapi('StreamGap');

export const EventPageSchema = z
  .object({
    data: z.array(StreamEventSchema),
    next_cursor: z.number().int().openapi({ description: 'Pass as `after` for the next read' }),
    has_more: z.boolean(),
    latest_seq: z.number().int(),
    gap: GapSchema.nullable().openapi({
      description:
        'Set when events after the cursor have fallen out of the buffer: they are lost to this reader',
    }),
  })
  .openapi('AgentEventPage');

export const CursorQuerySchema = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .openapi({ description: 'Return events after this sequence number (0: from the start)' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  channels: ChannelsQuery,
});
