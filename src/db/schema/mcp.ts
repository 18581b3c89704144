import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, ms, orgId, updatedAt } from './columns';
import { vaultItems } from './vault';

export const MCP_TRANSPORTS = ['streamable_http'] as const;
export const MCP_STATUSES = ['unknown', 'connected', 'error'] as const;

export interface DiscoveredTool {
  name: string;
  description: string | null;
  input_schema: Record<string, unknown>;
}

export const mcpServers = sqliteTable(
  'mcp_servers',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    transport: text('transport', { enum: MCP_TRANSPORTS }).notNull(),
    url: text('url').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** The vault item holding the request headers (e.g. Authorization); only their names are here. */
    headersItemId: text('headers_item_id').references(() => vaultItems.id, { onDelete: 'set null' }),
    headerNames: text('header_names', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: MCP_STATUSES }).notNull(),
    statusDetail: text('status_detail'),
    lastConnectedAt: ms('last_connected_at'),
    tools: text('tools', { mode: 'json' }).$type<DiscoveredTool[]>().notNull(),
    toolsUpdatedAt: ms('tools_updated_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('mcp_servers_org_name_uq').on(t.orgId, t.name),
    index('mcp_servers_org_idx').on(t.orgId, t.id),
  ],
);
