import { z } from '@hono/zod-openapi';
import { listWorkers, queueStats } from '../../domain/jobs/stats';
import { jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { QueueNameSchema, tags } from './schemas';

/** How the queues stand, and the workers that serve them. */

const statsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs/stats',
  tags,
  operationId: 'jobQueueStats',
  summary: 'Jobs per queue and state (waiting, leased, done, failed and awaiting retry, dead)',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: { params: OrgParamsSchema, query: z.object({ queue: QueueNameSchema.optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        queues: z.array(
          z.object({
            queue: z.string(),
            waiting: z.number().int(),
            leased: z.number().int(),
            done: z.number().int(),
            failed: z.number().int(),
            dead: z.number().int(),
          }),
        ),
      }),
      'Statistics',
    ),
  },
});

const workersRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs/workers',
  tags,
  operationId: 'listJobWorkers',
  summary: 'Workers that have claimed jobs, most recently heard from first',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: { params: OrgParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            worker_id: z.string(),
            last_queue: z.string().nullable(),
            last_heartbeat_at: z.iso.datetime(),
            active_leases: z.number().int(),
            jobs_completed: z.number().int(),
            jobs_failed: z.number().int(),
            first_seen_at: z.iso.datetime(),
          }),
        ),
      }),
      'Workers',
    ),
  },
});

export const statsRoutes = createRouter()
  .openapi(statsRoute, async (c) => {
    return c.json({ queues: await queueStats(c.var.db, c.var.org.id, c.req.valid('query').queue) }, 200);
  })
  .openapi(workersRoute, async (c) => {
    const rows = await listWorkers(c.var.db, c.var.org.id);
    return c.json(
      {
        data: rows.map((w) => ({
          worker_id: w.workerId,
          last_queue: w.lastQueue,
          last_heartbeat_at: iso(w.lastHeartbeatAt),
          active_leases: w.activeLeases,
          jobs_completed: w.jobsCompleted,
          jobs_failed: w.jobsFailed,
          first_seen_at: iso(w.createdAt),
        })),
      },
      200,
    );
  });
