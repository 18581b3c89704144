import { z } from '@hono/zod-openapi';
import { testConnection } from '../../domain/models/connection-test';
import { providerKey } from '../../domain/models/language-model';
import { listProviderModels, ProviderCheckError } from '../../domain/models/provider-check';
import { getProvider } from '../../domain/models/providers';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { ApiError } from '../../lib/errors';
import {
  ConnectionTestResultSchema,
  ConnectionTestSchema,
  KnownModelSchema,
  ProviderParamsSchema,
  tags,
  toKnownModel,
  toTestResult,
} from './schemas';

const testRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/providers/test',
  tags,
  operationId: 'testProviderConnection',
  summary:
    'Try a provider connection (a saved one, or settings before saving them): its model list or a one-token call; a failure says what to change',
  access: { role: 'admin', scope: 'models:write' },
  request: { params: OrgParamsSchema, body: jsonBody(ConnectionTestSchema) },
  responses: { 200: jsonResponse(ConnectionTestResultSchema, 'The outcome (ok or not, with the reason)') },
});

const modelsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/providers/{providerId}/models',
  tags,
  operationId: 'listProviderModels',
  summary:
    'The provider’s known models: its own list (OpenAI-compatible `/models`, Ollama `/api/tags`) or a curated catalog, with context windows and prices when known',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: ProviderParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        source: z.enum(['provider', 'catalog']).openapi({ description: 'Where the list came from' }),
        data: z.array(KnownModelSchema),
      }),
      'The models',
    ),
    503: { $ref: '#/components/responses/Unavailable' },
  },
});

export const providerConnectionRouter = createRouter()
  .openapi(testRoute, async (c) => {
    const b = c.req.valid('json');
    const input =
      'provider_id' in b
        ? { providerId: b.provider_id }
        : { kind: b.kind, baseUrl: b.base_url, apiKey: b.api_key };
    return c.json(toTestResult(await testConnection(c.var.ctx, input)), 200);
  })
  .openapi(modelsRoute, async (c) => {
    const { ctx } = c.var;
    const provider = await getProvider(ctx, c.req.valid('param').providerId);
    try {
      const key = await providerKey(ctx.db, ctx.env, ctx.orgId, provider);
      const listed = await listProviderModels(ctx.env, provider, key);
      return c.json({ source: listed.source, data: listed.models.map(toKnownModel) }, 200);
    } catch (error) {
      if (error instanceof ProviderCheckError) throw new ApiError('unavailable', error.message);
      throw error;
    }
  });
