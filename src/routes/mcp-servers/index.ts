import { z } from '@hono/zod-openapi';
import { MCP_STATUSES, MCP_TRANSPORTS } from '../../db/schema';
import {
  callMcpTool,
  connectMcpServer,
  createMcpServer,
  deleteMcpServer,
  getMcpServer,
  listMcpServers,
  type McpServerRow,
  mergedMcpConfig,
  updateMcpServer,
} from '../../domain/agent-design/mcp/servers';
import { DescriptionSchema, JsonObjectSchema, SlugNameSchema } from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso, isoOrNull } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

const tags = ['MCP servers'];
const asRuntime: Access = { role: 'member', scope: 'agents:runtime' };

const ToolSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    input_schema: z.record(z.string(), z.unknown()),
  })
  .openapi('McpTool');

const ServerSchema = z
  .object({
    id: z.string().openapi({ example: 'mcp_01hv…' }),
    name: z.string().openapi({ example: 'github' }),
    description: z.string().nullable(),
    transport: z.enum(MCP_TRANSPORTS),
    url: z.string(),
    enabled: z.boolean(),
    header_names: z
      .array(z.string())
      .openapi({ description: 'Names of the stored headers; values stay in the vault' }),
    status: z.enum(MCP_STATUSES),
    status_detail: z.string().nullable().openapi({ description: 'Why the last connection failed' }),
    last_connected_at: z.iso.datetime().nullable(),
    tools: z.array(ToolSchema).openapi({ description: 'Tools discovered at the last successful connection' }),
    tools_updated_at: z.iso.datetime().nullable(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('McpServer');

const toServer = (s: McpServerRow): z.infer<typeof ServerSchema> => ({
  id: s.id,
  name: s.name,
  description: s.description,
  transport: s.transport,
  url: s.url,
  enabled: s.enabled,
  header_names: s.headerNames,
  status: s.status,
  status_detail: s.statusDetail,
  last_connected_at: isoOrNull(s.lastConnectedAt),
  tools: s.tools,
  tools_updated_at: isoOrNull(s.toolsUpdatedAt),
  created_by: s.createdBy,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

const HeadersSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9-]+$/, 'A header name'),
    z.string().min(1).max(8192),
  )
  .refine((h) => Object.keys(h).length <= 20, 'At most 20 headers')
  .openapi({
    description: 'Sent with every request; stored encrypted in the vault, never returned',
    example: { Authorization: 'Bearer …' },
  });

const ServerFields = z.object({
  name: SlugNameSchema,
  description: DescriptionSchema.nullable().optional(),
  transport: z.enum(MCP_TRANSPORTS).optional(),
  url: z.string().max(2000).openapi({ example: 'https://mcp.example.com/mcp' }),
  enabled: z.boolean().optional(),
  headers: HeadersSchema.nullable().optional(),
});

const Params = OrgParamsSchema.extend({ serverId: pathId('serverId', 'mcp_01hv…') });

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

const connectRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/mcp-servers/{serverId}/connect',
  tags,
  operationId: 'connectMcpServer',
  summary: 'Connect to the server, list its tools and store them; the status says how it went',
  access: canDesign,
  conflicts: true,
  request: { params: Params },
  responses: {
    200: jsonResponse(ServerSchema, 'The server with its new status and tools'),
  },
});

const toolsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mcp-servers/{serverId}/tools',
  tags,
  operationId: 'listMcpServerTools',
  summary: 'The tools discovered on the server at its last successful connection',
  access: canReadAgents,
  request: { params: Params },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(ToolSchema), updated_at: z.iso.datetime().nullable() }),
      'The tools',
    ),
  },
});

const callRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/mcp-servers/{serverId}/tools/{toolName}/call',
  tags,
  operationId: 'callMcpTool',
  summary: 'Call a tool through the platform for an agent; recorded as an agent.tool_call event and activity',
  description:
    "The tool's result is returned as the server gave it; `is_error` is true for a failed call or an unreachable server.",
  access: asRuntime,
  conflicts: true,
  request: {
    params: Params.extend({
      toolName: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'toolName', in: 'path' } }),
    }),
    body: jsonBody(
      z.object({ arguments: JsonObjectSchema(64 * 1024).default({}), agent_id: z.string().max(64) }).strict(),
    ),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          is_error: z.boolean(),
          content: z.array(z.unknown()),
          structured_content: z.record(z.string(), z.unknown()).nullable(),
          duration_ms: z.number().int(),
          seq: z.number().int().openapi({ description: 'The agent.tool_call event in the agent’s hub' }),
        })
        .openapi('McpToolResult'),
      'The result',
    ),
  },
});

const configRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mcp-config',
  tags,
  operationId: 'mergedMcpConfig',
  summary: "The merged MCP configuration a runtime consumes: all enabled servers, or a role's or agent's",
  description: 'Header values are never included: runtimes call tools through the platform (`call_path`).',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: z
      .object({ role_id: z.string().max(64).optional(), agent_id: z.string().max(64).optional() })
      .refine(
        (q) => q.role_id === undefined || q.agent_id === undefined,
        'Give role_id or agent_id, not both',
      ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        role_id: z.string().nullable(),
        mcpServers: z.record(
          z.string(),
          z.object({
            id: z.string(),
            type: z.enum(MCP_TRANSPORTS),
            url: z.string(),
            header_names: z.array(z.string()),
            tools: z.array(z.string()),
            call_path: z.string(),
          }),
        ),
      }),
      'The configuration',
    ),
  },
});

export const mcpServersRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listMcpServers(c.var.db, c.var.org.id, q.limit, await decodeCursor(c.env, q.cursor));
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.name, toServer), 200);
  })
  .openapi(createRoute_, async (c) =>
    c.json(toServer(await createMcpServer(ctxOf(c), c.var.org.id, c.req.valid('json'))), 201),
  )
  .openapi(getRoute, async (c) =>
    c.json(toServer(await getMcpServer(c.var.db, c.var.org.id, c.req.valid('param').serverId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const row = await updateMcpServer(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').serverId,
      c.req.valid('json'),
    );
    return c.json(toServer(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteMcpServer(ctxOf(c), c.var.org.id, c.req.valid('param').serverId);
    return c.body(null, 204);
  })
  .openapi(connectRoute, async (c) =>
    c.json(toServer(await connectMcpServer(ctxOf(c), c.var.org.id, c.req.valid('param').serverId)), 200),
  )
  .openapi(toolsRoute, async (c) => {
    const row = await getMcpServer(c.var.db, c.var.org.id, c.req.valid('param').serverId);
    return c.json({ data: row.tools, updated_at: isoOrNull(row.toolsUpdatedAt) }, 200);
  })
  .openapi(callRoute, async (c) => {
    const { serverId, toolName } = c.req.valid('param');
    const r = await callMcpTool(ctxOf(c), c.var.org.id, serverId, toolName, c.req.valid('json'));
    return c.json(
      {
        is_error: r.isError,
        content: r.content,
        structured_content: r.structuredContent,
        duration_ms: r.durationMs,
        seq: r.seq,
      },
      200,
    );
  })
  .openapi(configRoute, async (c) => {
    const q = c.req.valid('query');
    const orgId = c.var.org.id;
    const r = await mergedMcpConfig(c.var.db, orgId, { roleId: q.role_id, agentId: q.agent_id });
    const mcpServers = Object.fromEntries(
      r.servers.map((s) => [
        s.name,
        {
          id: s.id,
          type: s.transport,
          url: s.url,
          header_names: s.headerNames,
          tools: s.tools.map((t) => t.name),
          call_path: `/api/v1/orgs/${orgId}/mcp-servers/${s.id}/tools/{tool}/call`,
        },
      ]),
    );
    return c.json({ role_id: r.roleId, mcpServers }, 200);
  });
