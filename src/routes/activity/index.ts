import { z } from '@hono/zod-openapi';
import type { activityLog } from '../../db/schema';
import { activityStats, listActivity } from '../../domain/activity/queries';
import { jsonResponse } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';

const tags = ['Activity'];

const ActivitySchema = z
  .object({
    id: z.string(),
    actor: z.object({ type: z.enum(['user', 'api_key', 'agent', 'system']), id: z.string() }),
    action: z.string().openapi({ example: 'api_key.created' }),
    entity: z.object({ type: z.string(), id: z.string() }),
    metadata: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('ActivityEntry');

const toEntry = (r: typeof activityLog.$inferSelect): z.infer<typeof ActivitySchema> => ({
  id: r.id,
  actor: { type: r.actorType, id: r.actorId },
  action: r.action,
  entity: { type: r.entityType, id: r.entityId },
  metadata: r.metadata,
  ip: r.ip,
  created_at: iso(r.createdAt),
});

const FilterSchema = z.object({
  actor_type: z.enum(['user', 'api_key', 'agent', 'system']).optional(),
  actor_id: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  entity_type: z.string().max(100).optional(),
  entity_id: z.string().max(100).optional(),
  since: z.iso.datetime().optional().openapi({ description: 'Entries at or after this time' }),
  until: z.iso.datetime().optional().openapi({ description: 'Entries at or before this time' }),
});

const toFilter = (q: z.infer<typeof FilterSchema>) => ({
  actorType: q.actor_type,
  actorId: q.actor_id,
  action: q.action,
  entityType: q.entity_type,
  entityId: q.entity_id,
  since: q.since ? Date.parse(q.since) : undefined,
  until: q.until ? Date.parse(q.until) : undefined,
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/activity',
  tags,
  operationId: 'listActivity',
  summary: 'The activity log, newest first, with filters',
  access: { role: 'viewer', scope: 'activity:read' },
  request: { params: OrgParamsSchema, query: FilterSchema.extend(PageQuerySchema.shape) },
  responses: { 200: jsonResponse(pageOf(ActivitySchema), 'A page of entries') },
});

const statsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/activity/stats',
  tags,
  operationId: 'activityStats',
  summary: 'Counts of activity by action and by day (UTC), with the same filters',
  access: { role: 'viewer', scope: 'activity:read' },
  request: { params: OrgParamsSchema, query: FilterSchema },
  responses: {
    200: jsonResponse(
      z.object({
        total: z.number().int(),
        by_action: z.array(z.object({ action: z.string(), count: z.number().int() })),
        by_day: z.array(z.object({ day: z.string(), count: z.number().int() })),
      }),
      'Statistics',
    ),
  },
});

export const activityRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listActivity(
      c.var.db,
      c.var.org.id,
      toFilter(q),
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toEntry), 200);
  })
  .openapi(statsRoute, async (c) => {
    const s = await activityStats(c.var.db, c.var.org.id, toFilter(c.req.valid('query')));
    return c.json({ total: s.total, by_action: s.byAction, by_day: s.byDay }, 200);
  });
