import { z } from '@hono/zod-openapi';
import { MCP_TRANSPORTS } from '../../db/schema';
import { callMcpTool, connectMcpServer } from '../../domain/agent-design/mcp/calls';
import { mergedMcpConfig } from '../../domain/agent-design/mcp/config';
import { getMcpServer } from '../../domain/agent-design/mcp/servers';
import { JsonObjectSchema } from '../../http/fields';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { isoOrNull } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

import { Params, ServerSchema, ToolSchema, toServer } from './schemas';

const tags = ['MCP servers'];
const asRuntime: Access = { role: 'member', scope: 'agents:runtime' };

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

export const mcpToolRoutes = createRouter()
  .openapi(connectRoute, async (c) =>
    c.json(toServer(await connectMcpServer(c.var.ctx, c.req.valid('param').serverId)), 200),
  )
  .openapi(toolsRoute, async (c) => {
    const row = await getMcpServer(c.var.db, c.var.org.id, c.req.valid('param').serverId);
    return c.json({ data: row.tools, updated_at: isoOrNull(row.toolsUpdatedAt) }, 200);
  })
  .openapi(callRoute, async (c) => {
    const { serverId, toolName } = c.req.valid('param');
    const r = await callMcpTool(c.var.ctx, c.var.ctx.orgId, serverId, toolName, c.req.valid('json'));
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
