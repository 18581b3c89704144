import type { OrgCtx } from '../../domain/context';
import { callableModels } from '../../domain/models/callable-models';
import { jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { ModelListSchema, tags } from './schemas';

export const listModelsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/openai/v1/models',
  tags,
  operationId: 'listOpenAIModels',
  summary: 'The models an OpenAI client can name here, in OpenAI’s model list format',
  description:
    'Enabled models on enabled providers, by registry name (`id`), and `dev`, the built-in development ' +
    'model, where it exists. `owned_by` is the provider connection’s name.',
  access: { role: 'member', scope: 'models:call' },
  request: { params: OrgParamsSchema },
  responses: { 200: jsonResponse(ModelListSchema, 'The models') },
});

export async function modelList(ctx: OrgCtx) {
  const entries = await callableModels(ctx.db, ctx.env, ctx.orgId);
  return {
    object: 'list' as const,
    data: entries.map((m) => ({
      id: m.name,
      object: 'model' as const,
      created: Math.floor(m.createdAt / 1000),
      owned_by: m.provider,
    })),
  };
}
