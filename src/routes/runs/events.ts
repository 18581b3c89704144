import { z } from '@hono/zod-openapi';
import { relayed, subscribeRequest } from '../../domain/agents/events';
import { runObject } from '../../domain/runs/index-sync';
import { getRunRow } from '../../domain/runs/queries';
import { streamOwner } from '../../domain/streams/owners';
import { ALL_CHANNELS } from '../../domain/streams/protocol';
import { jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { ApiError } from '../../lib/errors';
import { ChannelsQuery, CursorQuerySchema, EventPageSchema } from '../agents/schemas';
import { canReadRuns } from './runs';
import { RunParamsSchema, tags } from './schemas';

const PROTOCOL =
  'Send `Upgrade: websocket` for a WebSocket; otherwise the answer is a Server-Sent Events stream. ' +
  'The stream replays the run’s log from `Last-Event-ID` (or `?after=`, default 0: the whole log) and ' +
  'then follows it live. SSE events carry `id:` (the sequence number) and `event:` (the type); when ' +
  'events after the position are no longer kept, an `event: gap` frame says how many were dropped. ' +
  'WebSocket frames are `{"op":"ready"}`, `{"op":"resumed","gap":…}` and `{"op":"event","event":{…}}`; ' +
  'the client may send `{"op":"resume","after":<seq>}` and `ping`. Agent output arrives as ' +
  '`agent.output` events with a `delta`. The stream ends when the credential it was opened with does: ' +
  'a WebSocket closes with 4401 (session or API key revoked, rolled, deleted or expired) or 4403 ' +
  '(membership or organization ended) and a reason; SSE ends with `event: closed` and `{"code","reason"}`.';

const eventsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs/{runId}/events',
  tags,
  operationId: 'readRunEvents',
  summary: 'The run’s ordered event log after a cursor, oldest first',
  description: 'When events after `after` are no longer kept, `gap` says how many were dropped.',
  access: canReadRuns,
  request: { params: RunParamsSchema, query: CursorQuerySchema },
  responses: { 200: jsonResponse(EventPageSchema, 'Events') },
});

const streamRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs/{runId}/stream',
  tags,
  operationId: 'streamRunEvents',
  summary: 'The run’s events live over Server-Sent Events or WebSocket, replayed from any position',
  description: PROTOCOL,
  access: canReadRuns,
  request: {
    params: RunParamsSchema,
    query: z.object({
      channels: ChannelsQuery,
      after: z.coerce
        .number()
        .int()
        .min(0)
        .optional()
        .openapi({ description: 'Replay after this sequence number' }),
    }),
    headers: z.object({
      'last-event-id': z.coerce
        .number()
        .int()
        .min(0)
        .optional()
        .openapi({ description: 'Resume after this sequence' }),
    }),
  },
  responses: {
    101: { description: 'Switched to a WebSocket' },
    200: {
      description: 'A Server-Sent Events stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
  },
});

export const runEventsRouter = createRouter()
  .openapi(eventsRoute, async (c) => {
    const { runId } = c.req.valid('param');
    const q = c.req.valid('query');
    await getRunRow(c.var.db, c.var.ctx.orgId, runId);
    const r = await runObject(c.env, runId).read(q.after, q.limit, {
      channels: q.channels ?? ALL_CHANNELS,
      agents: null,
    });
    if (q.after > r.latest_seq)
      throw new ApiError(
        'validation',
        `after (${q.after}) is beyond the latest sequence number (${r.latest_seq})`,
        {
          errors: [{ path: 'after', message: `At most ${r.latest_seq}` }],
        },
      );
    return c.json(
      {
        data: r.events,
        next_cursor: r.next_cursor,
        has_more: r.has_more,
        latest_seq: r.latest_seq,
        gap: r.gap,
      },
      200,
    );
  })
  .openapi(streamRoute, async (c) => {
    const { runId } = c.req.valid('param');
    await getRunRow(c.var.db, c.var.ctx.orgId, runId);
    const q = c.req.valid('query');
    const request = subscribeRequest({
      websocket: c.req.header('Upgrade')?.toLowerCase() === 'websocket',
      owner: streamOwner(c.var.principal, c.var.ctx.orgId),
      filter: { channels: q.channels ?? ALL_CHANNELS, agents: null },
      // Last-Event-ID wins: an EventSource reconnects to the same URL with the header set.
      after: c.req.valid('header')['last-event-id'] ?? q.after ?? 0,
    });
    return relayed(await runObject(c.env, runId).fetch(request));
  });
