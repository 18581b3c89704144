import {
  createProvider,
  deleteProvider,
  getProvider,
  listProviders,
  updateProvider,
} from '../../domain/models/providers';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  CreateProviderSchema,
  ProviderParamsSchema,
  ProviderSchema,
  tags,
  toProvider,
  UpdateProviderSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/providers',
  tags,
  operationId: 'listProviders',
  summary: 'Model provider connections, oldest first (keys are never returned)',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ProviderSchema), 'A page of providers') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/providers',
  tags,
  operationId: 'createProvider',
  summary: 'Add a provider connection; its API key goes to the vault (admins)',
  access: { role: 'admin', scope: 'models:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateProviderSchema) },
  responses: { 201: jsonResponse(ProviderSchema, 'The provider') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/providers/{providerId}',
  tags,
  operationId: 'getProvider',
  summary: 'A provider connection',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: ProviderParamsSchema },
  responses: { 200: jsonResponse(ProviderSchema, 'The provider') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/providers/{providerId}',
  tags,
  operationId: 'updateProvider',
  summary: 'Rename a provider, change its base URL, replace or remove its key, enable or disable it (admins)',
  access: { role: 'admin', scope: 'models:write' },
  conflicts: true,
  request: { params: ProviderParamsSchema, body: jsonBody(UpdateProviderSchema) },
  responses: { 200: jsonResponse(ProviderSchema, 'The provider') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/providers/{providerId}',
  tags,
  operationId: 'deleteProvider',
  summary: 'Delete a provider with its models and its stored key (admins)',
  access: { role: 'admin', scope: 'models:write' },
  request: { params: ProviderParamsSchema },
  responses: { 204: noContent },
});

export const providersRouter = createRouter()
  .openapi(listRoute, async (c) =>
    c.json(await paged(c.env, c.req.valid('query'), (p) => listProviders(c.var.ctx, p), toProvider), 200),
  )
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await createProvider(c.var.ctx, {
      kind: b.kind,
      name: b.name,
      baseUrl: b.base_url,
      apiKey: b.api_key,
      enabled: b.enabled,
    });
    return c.json(toProvider(row), 201);
  })
  .openapi(getRoute, async (c) =>
    c.json(toProvider(await getProvider(c.var.ctx, c.req.valid('param').providerId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await updateProvider(c.var.ctx, c.req.valid('param').providerId, {
      name: b.name,
      baseUrl: b.base_url,
      apiKey: b.api_key,
      enabled: b.enabled,
    });
    return c.json(toProvider(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteProvider(c.var.ctx, c.req.valid('param').providerId);
    return c.body(null, 204);
  });
