import type { JSONSchema7 } from 'ai';
import { and, asc, eq } from 'drizzle-orm';
import { mcpServers, roleMcpServers } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import { callMcpTool } from '../agent-design/mcp/calls';
import type { OrgCtx } from '../context';
import { callerRecord } from './record';
import type { ToolCaller, ToolEntry } from './types';

/** The enabled MCP servers assigned (and enabled) on a role, with the link's approval switch. */
function roleServers(ctx: OrgCtx, roleId: string) {
  return ctx.db
    .select({ server: mcpServers, requiresApproval: roleMcpServers.requiresApproval })
    .from(roleMcpServers)
    .innerJoin(mcpServers, eq(mcpServers.id, roleMcpServers.targetId))
    .where(
      and(
        eq(roleMcpServers.orgId, ctx.orgId),
        eq(roleMcpServers.roleId, roleId),
        eq(roleMcpServers.enabled, true),
        eq(mcpServers.enabled, true),
      ),
    )
    .orderBy(asc(mcpServers.name));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The tools the role's MCP servers offered when last connected. Calls go through the platform's
 * MCP client (SSRF guard, stored headers, timeout), which records each as `agent.tool_call`.
 */
export async function mcpTools(
  ctx: OrgCtx,
  agentId: string,
  roleId: string,
  caller: ToolCaller,
): Promise<ToolEntry[]> {
  const via = caller.chatSessionId ? 'chat' : caller.runId ? 'run' : 'platform';
  return (await roleServers(ctx, roleId)).flatMap(({ server, requiresApproval }) =>
    server.tools.map(
      (tool): ToolEntry => ({
        definition: {
          displayName: `${server.name}.${tool.name}`,
          description: tool.description ?? `${tool.name} (MCP server ${server.name})`,
          inputSchema: tool.input_schema as JSONSchema7,
        },
        requiresApproval,
        async run(args, signal) {
          const input = args ?? {};
          if (!isObject(input))
            return { ok: false, output: { error: 'The arguments must be a JSON object' } };
          let result: Awaited<ReturnType<typeof callMcpTool>>;
          try {
            result = await callMcpTool(
              ctx,
              ctx.orgId,
              server.id,
              tool.name,
              { arguments: input, agent_id: agentId },
              { via, origin: callerRecord(caller), signal },
            );
          } catch (err) {
            // The server was disabled, removed or no longer offers the tool since the set was built.
            if (err instanceof ApiError) return { ok: false, output: { error: err.message } };
            throw err;
          }
          return {
            ok: !result.isError,
            output: { content: result.content, structured_content: result.structuredContent },
          };
        },
      }),
    ),
  );
}
