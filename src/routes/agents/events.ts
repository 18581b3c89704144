import { z } from '@hono/zod-openapi';
import { RUNTIME_EVENT_TYPES, readAgentEvents, readOrgEvents } from '../../domain/agents/events';
import { publishRuntimeEvents, sendMessage } from '../../domain/agents/messages';
import { ALL_CHANNELS, MAX_FILTER_AGENTS, type ReadResult } from '../../domain/streams/protocol';
import { JsonObjectSchema } from '../../http/fields';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { commaList, OrgParamsSchema } from '../../http/params';
import { ctxOf } from '../../http/request';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { ApiError } from '../../lib/errors';
import { canReadAgents, canWriteAgents } from './agents';
import { AgentParamsSchema, CursorQuerySchema, EventPageSchema, StreamEventSchema } from './schemas';

const tags = ['Agent events'];
const asRuntime: Access = { role: 'member', scope: 'agents:runtime' };

const MessageSchema = z
  .object({
    id: z.string().openapi({ example: 'msg_01hv…' }),
    agent_id: z.string(),
    seq: z.number().int().openapi({ description: 'The `agent.message` event in the agent’s hub' }),
    from: z.object({ type: z.string(), id: z.string() }),
    content: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.iso.datetime(),
  })
  .openapi('AgentMessage');

const RuntimeEventSchema = z.object({
  type: z.enum(RUNTIME_EVENT_TYPES),
  payload: JsonObjectSchema(32 * 1024, 'Any JSON object'),
});

const messageRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agents/{agentId}/messages',
  tags,
  operationId: 'sendAgentMessage',
  summary: 'Send a message to an agent: stored as an `agent.message` event and delivered live',
  access: canWriteAgents,
  idempotent: true,
  conflicts: true,
  request: {
    params: AgentParamsSchema,
    body: jsonBody(
      z
        .object({
          content: z.string().min(1).max(32_000),
          metadata: JsonObjectSchema(8 * 1024).optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(MessageSchema, 'The message') },
});

const publishRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agents/{agentId}/events',
  tags,
  operationId: 'publishAgentEvents',
  summary: 'An agent runtime publishes events (output, thinking, tool calls, errors) to its hub',
  description: 'One event, or up to 100 in order as `events`. They get consecutive sequence numbers.',
  access: asRuntime,
  idempotent: true,
  conflicts: true,
  request: {
    params: AgentParamsSchema,
    body: jsonBody(
      z.union([
        RuntimeEventSchema.strict(),
        z.object({ events: z.array(RuntimeEventSchema).min(1).max(100) }).strict(),
      ]),
    ),
  },
  responses: {
    201: jsonResponse(z.object({ data: z.array(StreamEventSchema) }), 'The stored events'),
  },
});

const readRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agents/{agentId}/events',
  tags,
  operationId: 'readAgentEvents',
  summary: "Events from the agent's buffer (its last 200) after a cursor, oldest first",
  description:
    'When events after `after` are no longer held, `gap` says how many were dropped and the oldest ' +
    'sequence still held; the events returned start there.',
  access: canReadAgents,
  request: { params: AgentParamsSchema, query: CursorQuerySchema },
  responses: { 200: jsonResponse(EventPageSchema, 'Events') },
});

const orgReadRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-events',
  tags,
  operationId: 'readOrgAgentEvents',
  summary: "Events of all the organization's agents (its last 1000) after a cursor, oldest first",
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: CursorQuerySchema.extend({
      agents: commaList(
        z.string().max(64),
        MAX_FILTER_AGENTS,
        'Only events of these agents, comma-separated',
      ).optional(),
    }),
  },
  responses: { 200: jsonResponse(EventPageSchema, 'Events') },
});

function toPage(r: ReadResult, after: number) {
  if (after > r.latest_seq)
    throw new ApiError(
      'validation',
      `after (${after}) is beyond the latest sequence number (${r.latest_seq})`,
      {
        errors: [{ path: 'after', message: `At most ${r.latest_seq}` }],
      },
    );
  return {
    data: r.events,
    next_cursor: r.next_cursor,
    has_more: r.has_more,
    latest_seq: r.latest_seq,
    gap: r.gap,
  };
}

export const eventsRouter = createRouter()
  .openapi(messageRoute, async (c) => {
    const m = await sendMessage(ctxOf(c), c.var.org.id, c.req.valid('param').agentId, c.req.valid('json'));
    return c.json(
      {
        id: m.id,
        agent_id: m.agentId,
        seq: m.seq,
        from: m.from,
        content: m.content,
        metadata: m.metadata,
        created_at: m.createdAt,
      },
      201,
    );
  })
  .openapi(publishRoute, async (c) => {
    const body = c.req.valid('json');
    const items = 'events' in body ? body.events : [body];
    const data = await publishRuntimeEvents(ctxOf(c), c.var.org.id, c.req.valid('param').agentId, items);
    return c.json({ data }, 201);
  })
  .openapi(readRoute, async (c) => {
    const { agentId } = c.req.valid('param');
    const q = c.req.valid('query');
    const channels = q.channels ?? ALL_CHANNELS;
    const r = await readAgentEvents(
      { env: c.env, db: c.var.db },
      { orgId: c.var.org.id, agentId },
      q.after,
      q.limit,
      {
        channels,
        agents: null,
      },
    );
    return c.json(toPage(r, q.after), 200);
  })
  .openapi(orgReadRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      channels: q.channels ?? ALL_CHANNELS,
      agents: q.agents ?? null,
    };
    const r = await readOrgEvents(c.env, c.var.org.id, q.after, q.limit, filter);
    return c.json(toPage(r, q.after), 200);
  });
