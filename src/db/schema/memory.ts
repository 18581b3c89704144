import { sql } from 'drizzle-orm';
import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents } from './agents';
import { createdAt, ms, orgId, updatedAt } from './columns';

export const MEMORY_KINDS = ['fact', 'preference', 'event', 'note'] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];
export const MEMORY_SOURCES = ['chat', 'run', 'manual', 'import'] as const;
export type MemorySource = (typeof MEMORY_SOURCES)[number];

/**
 * What agents remember: an agent's own entries, or (agent null) the organization's shared
 * knowledge. `memory_fts` (migrations/0010_memory.sql) indexes content and tags by trigger.
 */
export const memoryEntries = sqliteTable(
  'memory_entries',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** Null: shared knowledge every agent of the organization reads. */
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: MEMORY_KINDS }).notNull(),
    content: text('content').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    source: text('source', { enum: MEMORY_SOURCES }).notNull(),
    /** Past this time the entry is not returned, and housekeeping deletes it. */
    expiresAt: ms('expires_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('memory_entries_org_idx').on(t.orgId, t.id),
    // Per-agent lists and stats.
    index('memory_entries_org_agent_idx').on(t.orgId, t.agentId, t.id),
    // Housekeeping deletes what has expired.
    index('memory_entries_expiry_idx').on(t.expiresAt).where(sql`expires_at IS NOT NULL`),
  ],
);
