import { createRoute, z } from '@hono/zod-openapi';
import pkg from '../../../package.json';
import { errorResponses, jsonResponse } from '../../http/openapi';
import { createRouter } from '../../http/router';
import { ApiError } from '../../lib/errors';
import { docsRouter } from './docs';
import { problemsRouter } from './problems';

const tags = ['Platform'];
/** When this isolate started: uptime is per isolate on Workers. */
const startedAt = Date.now();

const StatusSchema = z.object({ status: z.enum(['ok', 'unavailable']) }).openapi('Status');

const IndexSchema = z
  .object({
    name: z.string().openapi({ description: 'What answers here', example: 'Foreman API' }),
    description: z.string().openapi({ description: 'What Foreman is, in a sentence' }),
    version: z.string().openapi({ description: 'The API version (the package version)', example: '0.1.0' }),
    links: z
      .object({
        docs: z.string().openapi({ description: 'Interactive documentation', example: '/docs' }),
        openapi: z.string().openapi({ description: 'The OpenAPI 3.1 document', example: '/openapi.json' }),
        health: z.string().openapi({ description: 'Health probe', example: '/health' }),
        problems: z
          .string()
          .openapi({ description: 'The problem types errors refer to', example: '/problems' }),
        api: z.string().openapi({ description: 'Base path of the API', example: '/api/v1' }),
      })
      .openapi({ description: 'Where to go next, as paths on this server' }),
  })
  .openapi('Index');

const index = createRoute({
  method: 'get',
  path: '/',
  tags,
  operationId: 'index',
  summary: 'What this server is, and links to its documentation',
  security: [],
  responses: { 200: jsonResponse(IndexSchema, 'About this server'), ...errorResponses() },
});

const health = createRoute({
  method: 'get',
  path: '/health',
  tags,
  operationId: 'health',
  summary: 'The Worker is up',
  security: [],
  responses: { 200: jsonResponse(StatusSchema, 'Up'), ...errorResponses() },
});

const live = createRoute({
  method: 'get',
  path: '/live',
  tags,
  operationId: 'liveness',
  summary: 'Liveness probe',
  security: [],
  responses: { 200: jsonResponse(StatusSchema, 'Alive'), ...errorResponses() },
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
    ...errorResponses(),
  },
});

export const platformRouter = createRouter()
  .openapi(index, (c) =>
    c.json(
      {
        name: 'Foreman API',
        description: pkg.description,
        version: pkg.version,
        links: {
          docs: '/docs',
          openapi: '/openapi.json',
          health: '/health',
          problems: '/problems',
          api: '/api/v1',
        },
      },
      200,
    ),
  )
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
  )
  .route('/', problemsRouter)
  .route('/', docsRouter);
