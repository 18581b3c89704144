import { createModel, deleteModel, getModel, pageModels, updateModel } from '../../domain/models/models';
import { BUILT_IN_DEV_MODEL, devModelEnabled } from '../../domain/models/registry';
import { defaultModelId, setDefaultModel } from '../../domain/models/routing';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  CreateModelSchema,
  ModelParamsSchema,
  ModelSchema,
  tags,
  toModel,
  toModelInput,
  UpdateModelSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/models',
  tags,
  operationId: 'listModels',
  summary:
    'Registered models, oldest first; the first page starts with the built-in development model where it exists (development, or DEV_MODEL=true)',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ModelSchema), 'A page of models') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/models',
  tags,
  operationId: 'createModel',
  summary: 'Register a model of a provider; known context windows and prices are filled in (admins)',
  access: { role: 'admin', scope: 'models:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateModelSchema) },
  responses: { 201: jsonResponse(ModelSchema, 'The model') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/models/{modelId}',
  tags,
  operationId: 'getModel',
  summary: 'A model',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: ModelParamsSchema },
  responses: { 200: jsonResponse(ModelSchema, 'The model') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/models/{modelId}',
  tags,
  operationId: 'updateModel',
  summary:
    'Change a model’s settings, prices, fallbacks or enabled state (admins; not the built-in model: 409)',
  access: { role: 'admin', scope: 'models:write' },
  conflicts: true,
  request: { params: ModelParamsSchema, body: jsonBody(UpdateModelSchema) },
  responses: { 200: jsonResponse(ModelSchema, 'The model') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/models/{modelId}',
  tags,
  operationId: 'deleteModel',
  summary: 'Delete a model; the default, routing rules and agents that named it forget it (admins)',
  access: { role: 'admin', scope: 'models:write' },
  conflicts: true,
  request: { params: ModelParamsSchema },
  responses: { 204: noContent },
});

const defaultRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/models/{modelId}/default',
  tags,
  operationId: 'setDefaultModel',
  summary: 'Make a model the organization’s default (admins)',
  access: { role: 'admin', scope: 'models:write' },
  request: { params: ModelParamsSchema },
  responses: { 200: jsonResponse(ModelSchema, 'The new default model') },
});

export const modelsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { ctx } = c.var;
    const query = c.req.valid('query');
    const [page, defaultId] = await Promise.all([
      paged(
        c.env,
        query,
        (p) => pageModels(ctx, p),
        (m) => m,
      ),
      defaultModelId(ctx),
    ]);
    const builtIn = query.cursor === undefined && devModelEnabled(c.env) ? [BUILT_IN_DEV_MODEL] : [];
    return c.json(
      { data: [...builtIn, ...page.data].map((m) => toModel(m, defaultId)), next_cursor: page.next_cursor },
      200,
    );
  })
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await createModel(c.var.ctx, {
      ...toModelInput(b),
      name: b.name,
      providerId: b.provider_id,
      providerModelId: b.provider_model_id,
    });
    const [model, defaultId] = await Promise.all([getModel(c.var.ctx, row.id), defaultModelId(c.var.ctx)]);
    return c.json(toModel(model, defaultId), 201);
  })
  .openapi(getRoute, async (c) => {
    const { ctx } = c.var;
    const [model, defaultId] = await Promise.all([
      getModel(ctx, c.req.valid('param').modelId),
      defaultModelId(ctx),
    ]);
    return c.json(toModel(model, defaultId), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { ctx } = c.var;
    const { modelId } = c.req.valid('param');
    await updateModel(ctx, modelId, toModelInput(c.req.valid('json')));
    const [model, defaultId] = await Promise.all([getModel(ctx, modelId), defaultModelId(ctx)]);
    return c.json(toModel(model, defaultId), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteModel(c.var.ctx, c.req.valid('param').modelId);
    return c.body(null, 204);
  })
  .openapi(defaultRoute, async (c) => {
    const model = await setDefaultModel(c.var.ctx, c.req.valid('param').modelId);
    return c.json(toModel(model, model.id), 200);
  });
