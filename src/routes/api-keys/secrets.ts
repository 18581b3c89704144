import { revokeApiKey, rollApiKey, rotateApiKey } from '../../domain/api-keys/keys';
import { jsonResponse } from '../../http/openapi';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import {
  ApiKeySchema,
  ApiKeyWithSecretSchema,
  KeyParamsSchema,
  RotatedApiKeySchema,
  RotateSchema,
  tags,
  toApiKey,
} from './schemas';

const revokeRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/api-keys/{keyId}/revoke',
  tags,
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key: it stops working at once, for good (409 if already revoked)',
  access: { role: 'admin', scope: 'api_keys:write' },
  conflicts: true,
  request: { params: KeyParamsSchema },
  responses: { 200: jsonResponse(ApiKeySchema, 'The revoked key') },
});

const rotateRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/api-keys/{keyId}/rotate',
  tags,
  operationId: 'rotateApiKey',
  summary: 'Give an API key a new secret; the previous one keeps working for a grace period',
  description:
    'The new secret is in this response only. An API key may only rotate a key whose scopes it holds.',
  access: { role: 'admin', scope: 'api_keys:write' },
  conflicts: true,
  request: {
    params: KeyParamsSchema,
    body: { required: false, content: { 'application/json': { schema: RotateSchema } } },
  },
  responses: { 200: jsonResponse(RotatedApiKeySchema, 'The key and its new secret') },
});

const rollRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/api-keys/{keyId}/roll',
  tags,
  operationId: 'rollApiKey',
  summary: 'Give an API key a new secret; every previous one stops at once',
  description:
    'The new secret is in this response only. An API key may only roll a key whose scopes it holds.',
  access: { role: 'admin', scope: 'api_keys:write' },
  conflicts: true,
  request: { params: KeyParamsSchema },
  responses: { 200: jsonResponse(ApiKeyWithSecretSchema, 'The key and its new secret') },
});

export const secretsRouter = createRouter()
  .openapi(revokeRoute, async (c) => {
    const key = await revokeApiKey(ctxOf(c), c.var.org.id, c.req.valid('param').keyId);
    return c.json(toApiKey(key), 200);
  })
  .openapi(rotateRoute, async (c) => {
    // Without a JSON body the validator passes `{}`, so the default grace applies.
    const { grace_period_seconds } = c.req.valid('json');
    const r = await rotateApiKey(
      ctxOf(c),
      c.var.org.id,
      c.var.org.scopes,
      c.req.valid('param').keyId,
      grace_period_seconds,
    );
    return c.json(
      { key: r.raw, api_key: toApiKey(r.key), previous_secret_expires_at: iso(r.previousExpiresAt) },
      200,
    );
  })
  .openapi(rollRoute, async (c) => {
    const r = await rollApiKey(ctxOf(c), c.var.org.id, c.var.org.scopes, c.req.valid('param').keyId);
    return c.json({ key: r.raw, api_key: toApiKey(r.key) }, 200);
  });
