import {
  createMcpServer,
  deleteMcpServer,
  getMcpServer,
  listMcpServers,
  updateMcpServer,
} from '../../domain/agent-design/mcp/servers';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

import { Params, ServerFields, ServerSchema, toServer } from './schemas';

const tags = ['MCP servers'];

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mcp-servers',
  tags,
  operationId: 'listMcpServers',
  summary: 'MCP server configurations by name, with status and discovered tools',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ServerSchema), 'A page of servers') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/mcp-servers',
  tags,
  operationId: 'createMcpServer',
  summary: 'Configure an MCP server; private, loopback and link-local URLs are refused',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(ServerFields.strict()) },
  responses: { 201: jsonResponse(ServerSchema, 'The server') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mcp-servers/{serverId}',
  tags,
  operationId: 'getMcpServer',
  summary: 'An MCP server configuration with its status',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(ServerSchema, 'The server') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/mcp-servers/{serverId}',
  tags,
  operationId: 'updateMcpServer',
  summary: 'Change an MCP server configuration (headers: null removes them)',
  access: canDesign,
  conflicts: true,
  request: {
    params: Params,
    body: jsonBody(
      ServerFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(ServerSchema, 'The server') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/mcp-servers/{serverId}',
  tags,
  operationId: 'deleteMcpServer',
  summary: 'Delete an MCP server configuration, its role assignments and its stored headers',
  access: canDesign,
  request: { params: Params },
  responses: { 204: noContent },
});

export const mcpServerRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => listMcpServers(c.var.ctx, p), toServer, 'name'), 200);
  })
  .openapi(createRoute_, async (c) =>
    c.json(toServer(await createMcpServer(c.var.ctx, c.req.valid('json'))), 201),
  )
  .openapi(getRoute, async (c) =>
    c.json(toServer(await getMcpServer(c.var.db, c.var.org.id, c.req.valid('param').serverId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const row = await updateMcpServer(c.var.ctx, c.req.valid('param').serverId, c.req.valid('json'));
    return c.json(toServer(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteMcpServer(c.var.ctx, c.req.valid('param').serverId);
    return c.body(null, 204);
  });
