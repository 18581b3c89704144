import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { createDb } from './db/client';
import { forgetProfiles } from './domain/auth/users';
import { allowedMethods } from './http/method-not-allowed';
import { registerOpenApiComponents } from './http/openapi';
import { buildOpenApiDocument } from './http/openapi-document';
import { problemResponse } from './http/problem-response';
import { createRouter } from './http/router';
import { ApiError } from './lib/errors';
import { newId } from './lib/ids';
import { authenticate } from './middleware/authenticate';
import { bodyLimit } from './middleware/body-limit';
import { noStoreByDefault } from './middleware/cache-control';
import { requireReadableBody } from './middleware/content-type';
import { orgContext } from './middleware/org';
import { serverTiming } from './middleware/server-timing';
import { activityRouter } from './routes/activity';
import { templatesRouter } from './routes/agent-templates';
import { agentRoutes } from './routes/agents';
import { aiLogRoutes } from './routes/ai-logs';
import { apiKeysRouter } from './routes/api-keys';
import { approvalRouter } from './routes/approvals';
import { authRouter } from './routes/auth';
import { budgetRoutes } from './routes/budgets';
import { chatRouter } from './routes/chat';
import { councilsRouter } from './routes/councils';
import { devRouter } from './routes/dev/outbox';
import { eventsRouter } from './routes/events';
import { jobsRouter } from './routes/jobs';
import { mcpServersRouter } from './routes/mcp-servers';
import { memoryRouter } from './routes/memory';

import { modelRoutes } from './routes/models';
import { modesRouter } from './routes/modes';
import { openAIErrors, openaiRouter } from './routes/openai';
import { orgsRouter } from './routes/orgs';
import { pipelineAssignmentRouter } from './routes/pipeline-assignments';
import { pipelineTemplatesRouter } from './routes/pipeline-templates';
import { pipelineRouter } from './routes/pipelines';
import { platformRouter } from './routes/platform';
import { projectRouter } from './routes/projects';
import { providerRoutes } from './routes/providers';
import { roleAssignmentsRouter } from './routes/role-assignments';
import { rolesRouter } from './routes/roles';
import { rulesRouter } from './routes/rules';
import { runRouter } from './routes/runs';

import { skillsRouter } from './routes/skills';
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
  .route('/', templatesRouter)
  .route('/', rolesRouter)
  .route('/', roleAssignmentsRouter)
  .route('/', skillsRouter)
  .route('/', modesRouter)
  .route('/', rulesRouter)
  .route('/', mcpServersRouter)
  .route('/', projectRouter)
  .route('/', ticketRouter)
  .route('/', jobsRouter)
  .route('/', memoryRouter)
  .route('/', providerRoutes)
  .route('/', modelRoutes)
  .route('/', budgetRoutes)
  .route('/', aiLogRoutes)
  .route('/', openaiRouter)
  .route('/', pipelineRouter)
  .route('/', pipelineTemplatesRouter)
  .route('/', councilsRouter)
  .route('/', runRouter)
  .route('/', pipelineAssignmentRouter)
  .route('/', approvalRouter)
  .route('/', chatRouter);

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
      exposeHeaders: [
        'X-Request-Id',
        'Retry-After',
        'RateLimit',
        'RateLimit-Policy',
        'Idempotent-Replayed',
        'Server-Timing',
        // A chat send names the message it stored and the reply to resume by.
        'X-Message-Id',
        'X-Reply-Id',
      ],
    }),
  );
  // Tools on other origins (editors, client generators) load the document directly.
  app.use('/openapi.json', cors({ origin: '*' }));
  app.use('/api/*', noStoreByDefault);
  app.use('/api/*', bodyLimit(MAX_BODY_BYTES));
  app.use('/api/*', requireReadableBody);
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    forgetProfiles();
    await next();
    forgetProfiles();
  });
  // Ahead of authentication, so that every problem there also speaks OpenAI's error format.
  app.use('/api/v1/orgs/:orgId/openai/*', openAIErrors);
  app.use('/api/v1/*', authenticate);
  app.use('/api/v1/orgs/:orgId/*', orgContext);
  app.use('/api/v1/orgs/:orgId', orgContext);

  app.route('/', platformRouter);
  app.route('/', devRouter);
  app.route('/api/v1', api);

  // Built on first request, once every route is registered, then kept for the isolate's life.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= buildOpenApiDocument(app as never);
    return c.json(document);
  });

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
