import { z } from '@hono/zod-openapi';
import { MEMORY_KINDS, MEMORY_SOURCES } from '../../db/schema';
import type { MemoryEntry, MemoryScope } from '../../domain/memory/entries';
import { commaList, OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Memory'];
export const canRead = { role: 'viewer', scope: 'memory:read' } as const;
export const canWrite = { role: 'member', scope: 'memory:write' } as const;

export const EntryParams = OrgParamsSchema.extend({ entryId: pathId('entryId', 'mem_01hv…') });

const TagSchema = z.string().trim().min(1).max(40);

export const MemoryEntrySchema = z
  .object({
    id: z.string().openapi({ example: 'mem_01hv…' }),
    agent_id: z
      .string()
      .nullable()
      .openapi({ description: 'The agent whose memory this is; null: shared knowledge of the organization' }),
    shared: z.boolean().openapi({ description: 'Shared knowledge (no agent): every agent can recall it' }),
    kind: z.enum(MEMORY_KINDS),
    content: z.string(),
    tags: z.array(z.string()).openapi({ description: 'Lower-case, without repeats' }),
    source: z
      .enum(MEMORY_SOURCES)
      .openapi({ description: 'Where it came from: a chat, a run, a person, an import' }),
    expires_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'After this it is no longer returned and is deleted' }),
    created_by: z.string().openapi({ description: 'A user, API key or agent id' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('MemoryEntry');

export const toEntry = (r: MemoryEntry): z.infer<typeof MemoryEntrySchema> => ({
  id: r.id,
  agent_id: r.agentId,
  shared: r.agentId === null,
  kind: r.kind,
  content: r.content,
  tags: r.tags,
  source: r.source,
  expires_at: isoOrNull(r.expiresAt),
  created_by: r.createdBy,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

const ContentSchema = z.string().trim().min(1).max(8000);
const ExpiresSchema = z.iso
  .datetime()
  .nullable()
  .openapi({ description: 'When to forget it (ISO 8601, in the future); null: never' });

export const CreateEntrySchema = z.object({
  agent_id: z
    .string()
    .max(64)
    .nullable()
    .optional()
    .openapi({ description: 'An agent of the organization; null or left out: shared knowledge' }),
  kind: z.enum(MEMORY_KINDS),
  content: ContentSchema,
  tags: z.array(TagSchema).max(20).optional(),
  source: z.enum(MEMORY_SOURCES).default('manual'),
  expires_at: ExpiresSchema.optional(),
});

export const UpdateEntrySchema = z
  .object({
    kind: z.enum(MEMORY_KINDS).optional(),
    content: ContentSchema.optional(),
    tags: z.array(TagSchema).max(20).optional(),
    expires_at: ExpiresSchema.optional(),
  })
  .strict();

export const FilterSchema = z.object({
  agent_id: z.string().max(64).optional().openapi({ description: 'Only this agent’s own entries' }),
  shared: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true: only shared knowledge; false: only agents’ own entries' }),
  kind: z.enum(MEMORY_KINDS).optional(),
  tags: commaList(TagSchema, 20, 'Entries carrying every one of these tags (comma-separated)').optional(),
  since: z.iso.datetime().optional().openapi({ description: 'Created at or after this time' }),
  until: z.iso.datetime().optional().openapi({ description: 'Created at or before this time' }),
});

export const scopeOf = (q: z.infer<typeof FilterSchema>): MemoryScope => ({
  agentId: q.agent_id,
  shared: q.shared === undefined ? undefined : q.shared === 'true',
  kind: q.kind,
  tags: q.tags,
  since: q.since ? Date.parse(q.since) : undefined,
  until: q.until ? Date.parse(q.until) : undefined,
});
