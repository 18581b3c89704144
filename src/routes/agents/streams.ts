import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { hubOf, orgStreamOf, relayed, subscribeRequest } from '../../domain/agents/events';
import { getAgentRow } from '../../domain/agents/shared';
import { type StreamOwner, streamOwner } from '../../domain/streams/owners';
import { ALL_CHANNELS, MAX_FILTER_AGENTS, type StreamFilter } from '../../domain/streams/protocol';
import {
  issueStreamTicket,
  redeemStreamTicket,
  STREAM_TICKET_TTL_SECONDS,
} from '../../domain/streams/tickets';
import type { AppEnv } from '../../env';
import { errorResponses, jsonBody, jsonResponse } from '../../http/openapi';
import { commaList, OrgParamsSchema } from '../../http/params';
import { requireUser } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { canReadAgents } from './agents';
import { AgentParamsSchema, ChannelsQuery } from './schemas';

const tags = ['Agent streams'];

const PROTOCOL =
  'Send `Upgrade: websocket` for a WebSocket; otherwise the answer is a Server-Sent Events stream. ' +
  'SSE: every event has `id:` (its sequence number) and `event:` (its type); reconnecting with ' +
  '`Last-Event-ID` (or `?after=`) replays what was missed from the buffer, after an `event: gap` frame ' +
  'if some of it was already dropped. WebSocket: the server sends `{"op":"ready"}`, then ' +
  '`{"op":"event","event":{…}}` frames; the client may send `{"op":"subscribe","channels":[…]}`, ' +
  '`{"op":"unsubscribe","channels":[…]}` and `{"op":"resume","after":<seq>}` (answered by ' +
  '`{"op":"resumed","gap":…}` and the replayed events), and the text `ping` (answered `pong`). ' +
  'Subscriptions survive the server hibernating. A stream ends when the credential it was opened with ' +
  'does: a WebSocket closes with 4401 (session or API key revoked, rolled, deleted or expired) or 4403 ' +
  '(membership or organization ended) and a reason; an SSE stream ends with an `event: closed` frame ' +
  'carrying `{"code","reason"}`.';

const LastEventIdHeaders = z.object({
  'last-event-id': z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'Resume after this sequence number (sent by EventSource on reconnect)' }),
});

const liveResponses = {
  101: { description: 'Switched to a WebSocket' },
  200: {
    description: 'A Server-Sent Events stream',
    content: { 'text/event-stream': { schema: z.string() } },
  },
};

const StreamQuerySchema = z.object({
  channels: ChannelsQuery,
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'Replay events after this sequence number first' }),
});
const AgentsQuery = commaList(
  z.string().max(64),
  MAX_FILTER_AGENTS,
  'Only events of these agents, comma-separated',
).optional();

const agentStreamRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agents/{agentId}/stream',
  tags,
  operationId: 'streamAgentEvents',
  summary: 'Live events of one agent over WebSocket or Server-Sent Events, resumable from its buffer',
  description: PROTOCOL,
  access: canReadAgents,
  request: { params: AgentParamsSchema, query: StreamQuerySchema, headers: LastEventIdHeaders },
  responses: { ...liveResponses },
});

const orgStreamRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-stream',
  tags,
  operationId: 'streamOrgAgentEvents',
  summary: "Live events of all the organization's agents, filterable by channel and agent",
  description: `${PROTOCOL} Sequence numbers are the organization stream's own; \`agent_seq\` is the agent's.`,
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: StreamQuerySchema.extend({ agents: AgentsQuery }),
    headers: LastEventIdHeaders,
  },
  responses: { ...liveResponses },
});

const ticketRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/stream-tickets',
  tags,
  operationId: 'createStreamTicket',
  summary: 'A short-lived ticket for opening a stream from a browser, which cannot send Authorization',
  description: `Valid for ${STREAM_TICKET_TTL_SECONDS} seconds; pass it as \`?ticket=\` to \`/api/v1/stream\`.`,
  access: canReadAgents,
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z
        .object({
          agent_id: z.string().max(64).nullable().default(null).openapi({
            description: "The agent whose hub to open; null for the organization's stream",
          }),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({ ticket: z.string(), url: z.string(), expires_at: z.iso.datetime() }).openapi('StreamTicket'),
      'The ticket and the URL to open',
    ),
  },
});

const ticketStreamRoute = createRoute({
  method: 'get',
  path: '/stream',
  tags,
  operationId: 'openStreamWithTicket',
  summary: 'Open the stream a ticket names (WebSocket or Server-Sent Events), for browsers',
  description: PROTOCOL,
  security: [],
  request: {
    query: StreamQuerySchema.extend({ ticket: z.string().max(4096), agents: AgentsQuery }),
    headers: LastEventIdHeaders,
  },
  responses: { ...liveResponses, ...errorResponses(401, 404) },
});

function subscription(
  c: Context<AppEnv>,
  owner: StreamOwner,
  q: { channels?: string[]; agents?: string[]; after?: number },
  lastEventId: number | undefined,
) {
  const filter: StreamFilter = {
    channels: q.channels ?? ALL_CHANNELS,
    agents: q.agents ?? null,
  };
  const websocket = c.req.header('Upgrade')?.toLowerCase() === 'websocket';
  // Last-Event-ID wins: an EventSource reconnects to the same URL, with the header set.
  return subscribeRequest({ websocket, owner, filter, after: lastEventId ?? q.after });
}

export const streamsRouter = createRouter()
  .openapi(agentStreamRoute, async (c) => {
    const owner = streamOwner(c.var.principal, c.var.org.id);
    const { agentId } = c.req.valid('param');
    await getAgentRow(c.var.db, c.var.org.id, agentId);
    const q = c.req.valid('query');
    const res = await hubOf(c.env, agentId).fetch(
      subscription(c, owner, q, c.req.valid('header')['last-event-id']),
    );
    return relayed(res);
  })
  .openapi(orgStreamRoute, async (c) => {
    const q = c.req.valid('query');
    const owner = streamOwner(c.var.principal, c.var.org.id);
    const res = await orgStreamOf(c.env, c.var.org.id).fetch(
      subscription(c, owner, q, c.req.valid('header')['last-event-id']),
    );
    return relayed(res);
  })
  .openapi(ticketRoute, async (c) => {
    const user = requireUser(c);
    const { agent_id } = c.req.valid('json');
    if (agent_id !== null) await getAgentRow(c.var.db, c.var.org.id, agent_id);
    const t = await issueStreamTicket(c.env, user, { orgId: c.var.org.id, agentId: agent_id });
    return c.json(
      {
        ticket: t.ticket,
        url: `/api/v1/stream?ticket=${encodeURIComponent(t.ticket)}`,
        expires_at: iso(t.expiresAt),
      },
      201,
    );
  })
  .openapi(ticketStreamRoute, async (c) => {
    const q = c.req.valid('query');
    const target = await redeemStreamTicket(c.env, c.var.db, q.ticket);
    const request = subscription(
      c,
      target.owner,
      target.agentId ? { ...q, agents: undefined } : q,
      c.req.valid('header')['last-event-id'],
    );
    const res = await (target.agentId
      ? hubOf(c.env, target.agentId)
      : orgStreamOf(c.env, target.orgId)
    ).fetch(request);
    return relayed(res);
  });
