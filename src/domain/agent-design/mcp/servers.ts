import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { type DiscoveredTool, mcpServers, roleMcpServers } from '../../../db/schema';
import { ApiError, conflict, notFound } from '../../../lib/errors';
import { newId } from '../../../lib/ids';
import { activityInsert } from '../../activity/record';
import { agentEvent } from '../../agents/events';
import { getAgentRow } from '../../agents/shared';
import { commit, tryCommit } from '../../commit';
import type { Ctx, OrgCtx } from '../../context';
import { getInOrg, type PageRequest, pageInOrg } from '../../lookup';
import { getItemRow } from '../../vault/items';
import { deleteSecret, readSecret, rotateSecret, storeSecret } from '../../vault/secrets';
import { getRoleRow } from '../roles';
import { MCP_TIMEOUT_MS, withMcpClient } from './client';
import { checkOutboundUrl } from './outbound-url';

export type McpServerRow = typeof mcpServers.$inferSelect;

export interface McpServerInput {
  name: string;
  description?: string | null;
  transport?: 'streamable_http';
  url: string;
  enabled?: boolean;
  /** Request headers (e.g. Authorization); kept encrypted in the vault, never returned. */
  headers?: Record<string, string> | null;
}

export const getMcpServer = (db: Db, orgId: string, id: string) =>
  getInOrg(db, mcpServers, 'MCP server', orgId, id);

/** Ordered by name; the cursor is the last name. */
export function listMcpServers(ctx: OrgCtx, page: PageRequest) {
  return pageInOrg(ctx.db, mcpServers, ctx.orgId, page, undefined, { by: 'name' });
}

const nameTaken = (name: string) => conflict(`An MCP server named "${name}" already exists`);
const headersItemName = (id: string) => `mcp.${id}.headers`;

async function vaultItemExists(db: Db, orgId: string, itemId: string) {
  try {
    await getItemRow(db, orgId, itemId);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'not_found') return false;
    throw err;
  }
}

/** Stores, replaces or (with null) removes a server's headers in the vault; returns the item id. */
async function saveHeaders(
  ctx: OrgCtx,
  row: Pick<McpServerRow, 'id' | 'name' | 'headersItemId'>,
  headers: Record<string, string> | null,
) {
  const { orgId } = ctx;
  const existing =
    row.headersItemId && (await vaultItemExists(ctx.db, orgId, row.headersItemId)) ? row.headersItemId : null;
  if (headers === null || Object.keys(headers).length === 0) {
    if (existing) await deleteSecret(ctx, orgId, existing);
    return null;
  }
  const value = JSON.stringify(headers);
  if (existing) {
    await rotateSecret(ctx, orgId, existing, { value, gracePeriodSeconds: 0 });
    return existing;
  }
  const item = await storeSecret(ctx, orgId, {
    name: headersItemName(row.id),
    description: `Request headers of the MCP server "${row.name}"`,
    value,
  });
  return item.id;
}

export async function createMcpServer(ctx: OrgCtx, input: McpServerInput): Promise<McpServerRow> {
  const { orgId } = ctx;
  checkOutboundUrl(ctx.env, input.url);
  const now = Date.now();
  const id = newId('mcp', now);
  const [clash] = await ctx.db
    .select({ id: mcpServers.id })
    .from(mcpServers)
    .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.name, input.name)))
    .limit(1);
  if (clash) throw nameTaken(input.name);
  const headers = input.headers ?? null;
  const headersItemId = headers
    ? await saveHeaders(ctx, { id, name: input.name, headersItemId: null }, headers)
    : null;
  const row: McpServerRow = {
    id,
    orgId,
    name: input.name,
    description: input.description ?? null,
    transport: input.transport ?? 'streamable_http',
    url: input.url,
    enabled: input.enabled ?? true,
    headersItemId,
    headerNames: headers ? Object.keys(headers).sort() : [],
    status: 'unknown',
    statusDetail: null,
    lastConnectedAt: null,
    tools: [],
    toolsUpdatedAt: null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  const outcome = await tryCommit(ctx.db, [
    ctx.db.insert(mcpServers).values(row),
    activityInsert(ctx, {
      orgId,
      action: 'mcp_server.created',
      entityType: 'mcp_server',
      entityId: id,
      metadata: { name: row.name, url: row.url },
    }),
  ]);
  if (!outcome.ok) {
    // The name was taken meanwhile: the headers stored for this attempt go too.
    if (headersItemId) await deleteSecret(ctx, orgId, headersItemId);
    throw outcome.failure.kind === 'unique' ? nameTaken(input.name) : outcome.error;
  }
  return row;
}

export async function updateMcpServer(ctx: OrgCtx, id: string, input: Partial<McpServerInput>) {
  const { orgId } = ctx;
  const row = await getMcpServer(ctx.db, orgId, id);
  if (input.url !== undefined) checkOutboundUrl(ctx.env, input.url);
  const changes: Partial<McpServerRow> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.transport !== undefined ? { transport: input.transport } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    // A new address is a new server as far as its status and tools go.
    ...(input.url !== undefined && input.url !== row.url
      ? { url: input.url, status: 'unknown' as const, statusDetail: null, tools: [], toolsUpdatedAt: null }
      : {}),
  };
  if (input.headers !== undefined) {
    changes.headersItemId = await saveHeaders(ctx, row, input.headers);
    changes.headerNames = input.headers ? Object.keys(input.headers).sort() : [];
  }
  const now = Date.now();
  await commit(
    ctx.db,
    [
      ctx.db
        .update(mcpServers)
        .set({ ...changes, updatedAt: now })
        .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id))),
      activityInsert(ctx, {
        orgId,
        action: 'mcp_server.updated',
        entityType: 'mcp_server',
        entityId: id,
        metadata: { name: changes.name ?? row.name, changed: Object.keys(input) },
      }),
    ],
    { unique: () => (input.name !== undefined ? nameTaken(input.name) : undefined) },
  );
  return { ...row, ...changes, updatedAt: now };
}

export async function deleteMcpServer(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getMcpServer(ctx.db, orgId, id);
  await ctx.db.batch([
    ctx.db.delete(mcpServers).where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mcp_server.deleted',
      entityType: 'mcp_server',
      entityId: id,
      metadata: { name: row.name },
    }),
  ]);
  if (row.headersItemId && (await vaultItemExists(ctx.db, orgId, row.headersItemId)))
    await deleteSecret(ctx, orgId, row.headersItemId);
}

async function headersOf(ctx: Ctx, row: McpServerRow) {
  if (!row.headersItemId) return {};
  const secret = await readSecret(ctx, row.orgId, row.headersItemId);
  return JSON.parse(secret.value) as Record<string, string>;
}

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

/**
 * The MCP configuration a runtime consumes: the enabled servers (for a role, or an agent's
 * role: those assigned and enabled there). Header values stay in the vault; a runtime calls
 * tools through the platform, so it gets the header names and the call path instead.
 */
export async function mergedMcpConfig(db: Db, orgId: string, target: { roleId?: string; agentId?: string }) {
  let roleId = target.roleId;
  if (target.agentId) roleId = (await getAgentRow(db, orgId, target.agentId)).roleId ?? undefined;
  else if (roleId) await getRoleRow(db, orgId, roleId);
  const scoped = target.agentId !== undefined || target.roleId !== undefined;
  if (scoped && !roleId) return { roleId: null, servers: [] };
  const rows = roleId
    ? (
        await db
          .select({ server: mcpServers })
          .from(mcpServers)
          .innerJoin(
            roleMcpServers,
            and(eq(roleMcpServers.targetId, mcpServers.id), eq(roleMcpServers.roleId, roleId)),
          )
          .where(
            and(eq(mcpServers.orgId, orgId), eq(mcpServers.enabled, true), eq(roleMcpServers.enabled, true)),
          )
          .orderBy(asc(mcpServers.name))
      ).map((r) => r.server)
    : await db
        .select()
        .from(mcpServers)
        .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.enabled, true)))
        .orderBy(asc(mcpServers.name));
  return { roleId: roleId ?? null, servers: rows };
}
