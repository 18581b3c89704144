import { z } from '@hono/zod-openapi';
import { listKeyUsage } from '../../domain/api-keys/keys';
import { jsonResponse } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { isoOrNull } from '../../lib/time';
import { KeyParamsSchema, KeyUseSchema, tags, toKeyUse } from './schemas';

const UsagePageSchema = pageOf(KeyUseSchema)
  .extend({ last_used_at: z.iso.datetime().nullable() })
  .openapi('ApiKeyUsage');

const usageRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/api-keys/{keyId}/usage',
  tags,
  operationId: 'apiKeyUsage',
  summary: 'When an API key was last used, and its recent requests, newest first',
  description: 'Requests are recorded just after they are answered, so the newest may lag by a moment.',
  access: { role: 'admin', scope: 'api_keys:read' },
  request: { params: KeyParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(UsagePageSchema, 'A page of requests') },
});

export const usageRouter = createRouter().openapi(usageRoute, async (c) => {
  const q = c.req.valid('query');
  const { key, uses } = await listKeyUsage(
    c.var.db,
    c.var.org.id,
    c.req.valid('param').keyId,
    q.limit,
    await decodeCursor(c.env, q.cursor),
  );
  return c.json(
    {
      last_used_at: isoOrNull(key.lastUsedAt),
      ...(await toPage(c.env, uses, q.limit, (u) => u.id, toKeyUse)),
    },
    200,
  );
});
