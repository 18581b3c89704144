import { revealSecret, rotateSecret } from '../../domain/vault/secrets';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  ItemParamsSchema,
  RevealBodySchema,
  RevealedSchema,
  RotateBodySchema,
  toItem,
  toRevealed,
  VaultItemSchema,
} from './schemas';

const tags = ['Vault'];

const revealRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/vault/items/{itemId}/reveal',
  tags,
  operationId: 'revealVaultItem',
  summary: 'Decrypt and return the value (admins, or API keys with vault:reveal); every reveal is logged',
  access: { role: 'admin', scope: 'vault:reveal' },
  request: {
    params: ItemParamsSchema,
    body: { required: false, content: { 'application/json': { schema: RevealBodySchema } } },
  },
  responses: {
    200: jsonResponse(RevealedSchema, 'The value; the response must not be cached'),
    410: {
      description: 'That earlier version is past its grace period and can no longer be read',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    },
  },
});

const rotateRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/vault/items/{itemId}/rotate',
  tags,
  operationId: 'rotateVaultItem',
  summary: 'Store a new value as the next version; earlier versions stay readable for a grace period',
  access: { role: 'admin', scope: 'vault:write' },
  idempotent: true,
  conflicts: true,
  request: { params: ItemParamsSchema, body: jsonBody(RotateBodySchema) },
  responses: {
    200: jsonResponse(VaultItemSchema, 'The item with its new current version'),
  },
});

export const valuesRouter = createRouter()
  .openapi(revealRoute, async (c) => {
    // The body is optional; without a JSON one there is nothing to validate.
    const body = c.req.header('Content-Type')?.includes('json') ? c.req.valid('json') : undefined;
    const secret = await revealSecret(ctxOf(c), c.var.org.id, c.req.valid('param').itemId, {
      version: body?.version,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(toRevealed(secret), 200);
  })
  .openapi(rotateRoute, async (c) => {
    const body = c.req.valid('json');
    const item = await rotateSecret(ctxOf(c), c.var.org.id, c.req.valid('param').itemId, {
      value: body.value,
      gracePeriodSeconds: body.grace_period_seconds,
    });
    return c.json(toItem(item), 200);
  });
