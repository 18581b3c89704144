import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../domain/auth/scopes';
import { EVENT_CATALOG } from '../../domain/events/catalog';
import { errorResponses, jsonResponse } from '../../http/openapi';
import { createRouter } from '../../http/router';

const catalogRoute = createRoute({
  method: 'get',
  path: '/events/catalog',
  tags: ['Events'],
  operationId: 'eventCatalog',
  summary: 'Every domain event type (activity actions, stream and webhook events) and every API key scope',
  security: [],
  responses: {
    200: jsonResponse(
      z.object({
        events: z.array(z.object({ type: z.string(), description: z.string() })),
        scopes: z.array(z.object({ scope: z.string(), description: z.string() })),
      }),
      'The catalog',
    ),
    ...errorResponses(),
  },
});

const events = Object.entries(EVENT_CATALOG).map(([type, description]) => ({ type, description }));
const scopes = Object.entries(SCOPES).map(([scope, description]) => ({ scope, description }));

export const eventsRouter = createRouter().openapi(catalogRoute, (c) => c.json({ events, scopes }, 200));
