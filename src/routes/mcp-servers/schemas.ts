import { z } from '@hono/zod-openapi';
import { MCP_STATUSES, MCP_TRANSPORTS } from '../../db/schema';
import type { McpServerRow } from '../../domain/agent-design/mcp/servers';
import { DescriptionSchema, SlugNameSchema } from '../../http/fields';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const ToolSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    input_schema: z.record(z.string(), z.unknown()),
  })
  .openapi('McpTool');

export const ServerSchema = z
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

export const toServer = (s: McpServerRow): z.infer<typeof ServerSchema> => ({
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

export const HeadersSchema = z
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

export const ServerFields = z.object({
  name: SlugNameSchema,
  description: DescriptionSchema.nullable().optional(),
  transport: z.enum(MCP_TRANSPORTS).optional(),
  url: z.string().max(2000).openapi({ example: 'https://mcp.example.com/mcp' }),
  enabled: z.boolean().optional(),
  headers: HeadersSchema.nullable().optional(),
});

export const Params = OrgParamsSchema.extend({ serverId: pathId('serverId', 'mcp_01hv…') });
