import { createRoute, z } from '@hono/zod-openapi';
import pkg from '../../../package.json';
import { ApiError } from '../../lib/errors';
import { errorResponses, jsonResponse } from '../../lib/openapi';
import { createRouter } from '../../lib/router';

const tags = ['Platform'];
/** When this isolate started: uptime is per isolate on Workers. */
const startedAt = Date.now();

const StatusSchema = z.object({ status: z.enum(['ok', 'unavailable']) }).openapi('Status');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags,
  operationId: 'health',
  summary: 'The Worker is up',
  security: [],
  responses: { 200: jsonResponse(StatusSchema, 'Up') },
});

const live = createRoute({
  method: 'get',
  path: '/live',
  tags,
  operationId: 'liveness',
  summary: 'Liveness probe',
  security: [],
  responses: { 200: jsonResponse(StatusSchema, 'Alive') },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags,
  operationId: 'readiness',
  summary: 'Readiness: D1 answers a query',
  security: [],
  responses: {
    200: jsonResponse(StatusSchema.extend({ checks: z.object({ database: z.string() }) }), 'Ready'),
    ...errorResponses(503),
  },
});

const version = createRoute({
  method: 'get',
  path: '/version',
  tags,
  operationId: 'version',
  summary: 'Version, build and isolate uptime',
  security: [],
  responses: {
    200: jsonResponse(
      z.object({ name: z.string(), version: z.string(), build: z.string(), uptime_seconds: z.number() }),
      'Version',
    ),
  },
});

export const platformRouter = createRouter()
  .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(ready, async (c) => {
    try {
      await c.env.DB.prepare('SELECT 1').first();
    } catch {
      throw new ApiError('unavailable', 'The database is not reachable');
    }
    return c.json({ status: 'ok' as const, checks: { database: 'ok' } }, 200);
  })
  .openapi(version, (c) =>
    c.json(
      {
        name: pkg.name,
        version: pkg.version,
        build: c.env.BUILD_ID,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      },
      200,
    ),
  );
