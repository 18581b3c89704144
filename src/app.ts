import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import pkg from '../package.json';
import { createDb } from './db/client';
import { forgetProfiles } from './domain/auth/users';
import { ApiError } from './lib/errors';
import { newId } from './lib/ids';
import { allowedMethods } from './lib/method-not-allowed';
import { registerOpenApiComponents } from './lib/openapi';
import { problemResponse } from './lib/problem-response';
import { createRouter } from './lib/router';
import { authenticate } from './middleware/authenticate';
import { requireReadableBody } from './middleware/content-type';
import { orgContext } from './middleware/org';
import { serverTiming } from './middleware/server-timing';
import { activityRouter } from './routes/activity';
import { agentRoutes } from './routes/agents';
import { apiKeysRouter } from './routes/api-keys';
import { authRouter } from './routes/auth';
import { devRouter } from './routes/dev/outbox';
import { eventsRouter } from './routes/events';
import { jobsRouter } from './routes/jobs';
import { orgsRouter } from './routes/orgs';
import { platformRouter } from './routes/platform';
import { projectRouter } from './routes/projects';
import { ticketRouter } from './routes/tickets';
import { vaultRouter } from './routes/vault';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Routers under /api/v1; org-scoped ones declare paths under /orgs/{orgId}. */
const api = createRouter()
  .route('/', authRouter)
  .route('/', eventsRouter)
  .route('/', orgsRouter)
  .route('/', activityRouter)
  .route('/', apiKeysRouter)
  .route('/', vaultRouter)
  .route('/', agentRoutes)
  .route('/', projectRouter)
  .route('/', ticketRouter)
  .route('/', jobsRouter);

export function createApp() {
  const app = createRouter();
  registerOpenApiComponents(app as never);

  app.use('*', serverTiming);
  app.use('*', requestId({ generator: () => newId('req'), headerName: 'X-Request-Id' }));
  app.use('*', async (c, next) => {
    c.set('db', createDb(c.env.DB));
    return next();
  });
  app.use(
    '/api/*',
    cors({
      origin: '*',
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'Server-Timing'],
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError('payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use('/api/*', requireReadableBody);
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    forgetProfiles();
    await next();
    forgetProfiles();
  });
  app.use('/api/v1/*', authenticate);
  app.use('/api/v1/orgs/:orgId/*', orgContext);
  app.use('/api/v1/orgs/:orgId', orgContext);

  app.route('/', platformRouter);
  app.route('/', devRouter);
  app.route('/api/v1', api);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Foreman API',
      version: pkg.version,
      description:
        'Control plane for teams of AI agents. Errors are RFC 9457 problem details. Organization-scoped ' +
        'resources live under `/api/v1/orgs/{orgId}`: a user acts in any organization they belong to, an ' +
        'API key only in its own.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

  const methodsFor = allowedMethods(app.routes);
  app.notFound((c) => {
    const allow = methodsFor(c.req.path);
    if (allow.length > 0)
      return problemResponse(
        c,
        new ApiError('method_not_allowed', `${c.req.method} is not allowed here; use ${allow.join(', ')}`, {
          headers: { Allow: allow.join(', ') },
        }),
      );
    return problemResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`));
  });
  app.onError((err, c) => problemResponse(c, err));
  return app;
}
