import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { mailOutbox } from '../../db/schema';
import { errorResponses, jsonResponse } from '../../http/openapi';
import { createRouter } from '../../http/router';
import { notFound } from '../../lib/errors';
import { iso } from '../../lib/time';

const outboxRoute = createRoute({
  method: 'get',
  path: '/dev/outbox',
  tags: ['Development'],
  operationId: 'devOutbox',
  summary:
    'Development only: the newest mail sent to an address (404 unless ENVIRONMENT is "development" and DEV_OUTBOX "true")',
  security: [],
  request: { query: z.object({ to: z.email() }) },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            id: z.string(),
            to: z.string(),
            subject: z.string(),
            text: z.string(),
            created_at: z.string(),
          }),
        ),
      }),
      'Messages, newest first',
    ),
    ...errorResponses(404),
  },
});

export const devRouter = createRouter().openapi(outboxRoute, async (c) => {
  if (c.env.DEV_OUTBOX !== 'true' || c.env.ENVIRONMENT !== 'development') throw notFound('Route');
  const rows = await c.var.db
    .select()
    .from(mailOutbox)
    .where(eq(mailOutbox.to, c.req.valid('query').to.toLowerCase()))
    .orderBy(desc(mailOutbox.id))
    .limit(20);
  return c.json({ data: rows.map((r) => ({ ...r, created_at: iso(r.createdAt) })) }, 200);
});
