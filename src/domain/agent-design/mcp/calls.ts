import { and, eq } from 'drizzle-orm';
import { type DiscoveredTool, mcpServers } from '../../../db/schema';
import { ApiError, conflict, notFound } from '../../../lib/errors';
import { activityInsert } from '../../activity/record';
import { agentEvent } from '../../agents/events';
import { getAgentRow } from '../../agents/shared';
import { commit } from '../../commit';
import type { Ctx, OrgCtx } from '../../context';
import { MCP_TIMEOUT_MS, withMcpClient } from './client';
import { getMcpServer, headersOf, type McpServerRow } from './servers';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * Connects to the server, lists its tools and stores them as discovered, with the status; a
 * server that cannot be reached is recorded as `error` with the reason, not as a failed request.
 */
export async function connectMcpServer(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getMcpServer(ctx.db, orgId, id);
  if (!row.enabled) throw conflict('The MCP server is disabled; enable it first');
  const now = Date.now();
  let changes: Partial<McpServerRow>;
  try {
    const tools = await withMcpClient(
      ctx.env,
      { url: row.url, headers: await headersOf(ctx, row) },
      async (client) => {
        const found: DiscoveredTool[] = [];
        let cursor: string | undefined;
        do {
          const page = await client.listTools(cursor ? { cursor } : {}, { timeout: MCP_TIMEOUT_MS });
          for (const t of page.tools)
            found.push({ name: t.name, description: t.description ?? null, input_schema: t.inputSchema });
          cursor = page.nextCursor;
        } while (cursor && found.length < 1000);
        return found;
      },
    );
    changes = { status: 'connected', statusDetail: null, lastConnectedAt: now, tools, toolsUpdatedAt: now };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    changes = { status: 'error', statusDetail: errorText(err) };
  }
  await ctx.db.batch([
    ctx.db
      .update(mcpServers)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mcp_server.connected',
      entityType: 'mcp_server',
      entityId: id,
      metadata: {
        status: changes.status,
        tools: changes.tools?.length ?? null,
        detail: changes.statusDetail ?? null,
      },
    }),
  ]);
  return { ...row, ...changes, updatedAt: now };
}

export interface ToolCallInput {
  arguments: Record<string, unknown>;
  /** The agent the call is made for. */
  agent_id: string;
}

export interface ToolCallOptions {
  /** Where the call comes from (e.g. a chat session or a run step), recorded with it. */
  via?: string;
  origin?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Calls a discovered tool through the platform for an agent. The call is an `agent.tool_call`
 * event in the agent's hub and an activity entry, whether it succeeded or not.
 */
export async function callMcpTool(
  ctx: Ctx,
  orgId: string,
  id: string,
  toolName: string,
  input: ToolCallInput,
  options: ToolCallOptions = {},
) {
  const row = await getMcpServer(ctx.db, orgId, id);
  await getAgentRow(ctx.db, orgId, input.agent_id);
  if (!row.enabled) throw conflict('The MCP server is disabled; enable it first');
  if (!row.tools.some((t) => t.name === toolName))
    throw notFound(`Tool "${toolName}" on this server (connect to refresh its tools)`);
  const started = Date.now();
  let outcome: { isError: boolean; content: unknown[]; structuredContent: Record<string, unknown> | null };
  try {
    const result = await withMcpClient(
      ctx.env,
      { url: row.url, headers: await headersOf(ctx, row) },
      (client) =>
        client.callTool({ name: toolName, arguments: input.arguments }, undefined, {
          timeout: MCP_TIMEOUT_MS,
          signal: options.signal,
        }),
    );
    outcome = {
      isError: result.isError === true,
      content: Array.isArray(result.content) ? result.content : [],
      structuredContent: (result.structuredContent as Record<string, unknown> | undefined) ?? null,
    };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    outcome = {
      isError: true,
      content: [{ type: 'text', text: `The call failed: ${errorText(err)}` }],
      structuredContent: null,
    };
  }
  const durationMs = Date.now() - started;
  const record = {
    server_id: id,
    server: row.name,
    tool: toolName,
    is_error: outcome.isError,
    duration_ms: durationMs,
    ...options.origin,
  };
  const event = agentEvent(ctx.env, { orgId, agentId: input.agent_id }, 'agent.tool_call', {
    ...record,
    arguments: input.arguments,
    via: options.via ?? 'platform',
  });
  await commit(
    ctx.db,
    [
      activityInsert(ctx, {
        orgId,
        action: 'agent.tool_call',
        entityType: 'agent',
        entityId: input.agent_id,
        metadata: record,
      }),
    ],
    { events: [event] },
  );
  return { ...outcome, durationMs, seq: (await event.publish()).seq };
}
