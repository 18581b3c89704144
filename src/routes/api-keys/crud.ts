import { createApiKey, deleteApiKey, getApiKey, listApiKeys, updateApiKey } from '../../domain/api-keys/keys';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  ApiKeySchema,
  ApiKeyWithSecretSchema,
  CreateApiKeySchema,
  KeyParamsSchema,
  tags,
  toApiKey,
  UpdateApiKeySchema,
} from './schemas';

const createKeyRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/api-keys',
  tags,
  operationId: 'createApiKey',
  summary: 'Create an API key; its secret is in this response only',
  description:
    'An API key may only grant scopes it holds itself (403 otherwise). Supports `Idempotency-Key`: ' +
    'a retry returns the same key instead of making a second one.',
  access: { role: 'admin', scope: 'api_keys:write' },
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateApiKeySchema) },
  responses: { 201: jsonResponse(ApiKeyWithSecretSchema, 'The key and its secret') },
});

const listKeysRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/api-keys',
  tags,
  operationId: 'listApiKeys',
  summary: 'The organization’s API keys, masked, newest first',
  access: { role: 'admin', scope: 'api_keys:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ApiKeySchema), 'A page of keys') },
});

const getKeyRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/api-keys/{keyId}',
  tags,
  operationId: 'getApiKey',
  summary: 'One API key, masked',
  access: { role: 'admin', scope: 'api_keys:read' },
  request: { params: KeyParamsSchema },
  responses: { 200: jsonResponse(ApiKeySchema, 'The key') },
});

const updateKeyRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/api-keys/{keyId}',
  tags,
  operationId: 'updateApiKey',
  summary: 'Rename, describe, re-scope, deactivate or reactivate an API key',
  description: 'An API key may only grant scopes it holds itself (403 otherwise).',
  access: { role: 'admin', scope: 'api_keys:write' },
  request: { params: KeyParamsSchema, body: jsonBody(UpdateApiKeySchema) },
  responses: { 200: jsonResponse(ApiKeySchema, 'The changed key') },
});

const deleteKeyRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/api-keys/{keyId}',
  tags,
  operationId: 'deleteApiKey',
  summary: 'Delete an API key; it stops working at once',
  access: { role: 'admin', scope: 'api_keys:write' },
  request: { params: KeyParamsSchema },
  responses: { 204: noContent },
});

export const keysRouter = createRouter()
  .openapi(createKeyRoute, async (c) => {
    const body = c.req.valid('json');
    const { raw, key } = await createApiKey(ctxOf(c), c.var.org.id, c.var.org.scopes, {
      name: body.name,
      description: body.description,
      scopes: body.scopes,
      expiresAt: body.expires_at === undefined ? undefined : Date.parse(body.expires_at),
    });
    return c.json({ key: raw, api_key: toApiKey(key) }, 201);
  })
  .openapi(listKeysRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listApiKeys(c.var.db, c.var.org.id, q.limit, await decodeCursor(c.env, q.cursor));
    const now = Date.now();
    return c.json(
      await toPage(
        c.env,
        rows,
        q.limit,
        (k) => k.id,
        (k) => toApiKey(k, now),
      ),
      200,
    );
  })
  .openapi(getKeyRoute, async (c) => {
    return c.json(toApiKey(await getApiKey(c.var.db, c.var.org.id, c.req.valid('param').keyId)), 200);
  })
  .openapi(updateKeyRoute, async (c) => {
    const { keyId } = c.req.valid('param');
    const key = await updateApiKey(ctxOf(c), c.var.org.id, c.var.org.scopes, keyId, c.req.valid('json'));
    return c.json(toApiKey(key), 200);
  })
  .openapi(deleteKeyRoute, async (c) => {
    await deleteApiKey(ctxOf(c), c.var.org.id, c.req.valid('param').keyId);
    return c.body(null, 204);
  });
