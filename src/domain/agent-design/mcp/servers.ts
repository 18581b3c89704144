import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { mcpServers } from '../../../db/schema';
import { ApiError, conflict } from '../../../lib/errors';
import { newId } from '../../../lib/ids';
import { activityInsert } from '../../activity/record';
import { commit, tryCommit } from '../../commit';
import type { Ctx, OrgCtx } from '../../context';
import { getInOrg, type PageRequest, pageInOrg } from '../../lookup';
import { getItemRow } from '../../vault/items';
import { deleteSecret, readSecret, rotateSecret, storeSecret } from '../../vault/secrets';
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

/** The server's headers, from the vault. */
export async function headersOf(ctx: Ctx, row: McpServerRow) {
  if (!row.headersItemId) return {};
  const secret = await readSecret(ctx, row.orgId, row.headersItemId);
  return JSON.parse(secret.value) as Record<string, string>;
}
