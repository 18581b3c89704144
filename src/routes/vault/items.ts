import { getItem, listItems } from '../../domain/vault/items';
import { deleteSecret, storeSecret, updateSecret } from '../../domain/vault/secrets';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  ItemParamsSchema,
  StoreBodySchema,
  toItem,
  toSummary,
  UpdateBodySchema,
  VaultItemSchema,
  VaultItemSummarySchema,
} from './schemas';

const tags = ['Vault'];

const storeRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/vault/items',
  tags,
  operationId: 'storeVaultItem',
  summary: 'Store a secret; it is encrypted at once and never returned by list or get',
  access: { role: 'admin', scope: 'vault:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(StoreBodySchema) },
  responses: {
    201: jsonResponse(VaultItemSchema, 'The stored item, without its value'),
  },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/vault/items',
  tags,
  operationId: 'listVaultItems',
  summary: 'Vault items ordered by name, without values',
  access: { role: 'member', scope: 'vault:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(VaultItemSummarySchema), 'A page of items') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/vault/items/{itemId}',
  tags,
  operationId: 'getVaultItem',
  summary: "A vault item's metadata and readable versions, without its value",
  access: { role: 'member', scope: 'vault:read' },
  request: { params: ItemParamsSchema },
  responses: { 200: jsonResponse(VaultItemSchema, 'The item') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/vault/items/{itemId}',
  tags,
  operationId: 'updateVaultItem',
  summary: 'Rename a vault item or change its description; the value changes only by rotating',
  access: { role: 'admin', scope: 'vault:write' },
  conflicts: true,
  request: { params: ItemParamsSchema, body: jsonBody(UpdateBodySchema) },
  responses: {
    200: jsonResponse(VaultItemSchema, 'The updated item'),
  },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/vault/items/{itemId}',
  tags,
  operationId: 'deleteVaultItem',
  summary: 'Delete a vault item and every stored version of its value',
  access: { role: 'admin', scope: 'vault:write' },
  request: { params: ItemParamsSchema },
  responses: { 204: noContent },
});

export const itemsRouter = createRouter()
  .openapi(storeRoute, async (c) => {
    const item = await storeSecret(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toItem(item), 201);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listItems(c.var.db, c.var.org.id, q.limit, await decodeCursor(c.env, q.cursor));
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.name, toSummary), 200);
  })
  .openapi(getRoute, async (c) => {
    const item = await getItem(c.var.db, c.var.org.id, c.req.valid('param').itemId);
    return c.json(toItem(item), 200);
  })
  .openapi(updateRoute, async (c) => {
    const item = await updateSecret(ctxOf(c), c.var.org.id, c.req.valid('param').itemId, c.req.valid('json'));
    return c.json(toItem(item), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteSecret(ctxOf(c), c.var.org.id, c.req.valid('param').itemId);
    return c.body(null, 204);
  });
