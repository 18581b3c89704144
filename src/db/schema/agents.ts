import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agentRoles } from './agent-design';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';

export const AGENT_STATUSES = ['idle', 'working', 'paused', 'stopped', 'error', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    displayName: text('display_name').notNull(),
    description: text('description'),
    /** Deleting the role leaves the agent without one. */
    roleId: text('role_id').references(() => agentRoles.id, { onDelete: 'set null' }),
    model: text('model'),
    /** The registry model the gateway uses for this agent (see models/resolve). */
    modelId: text('model_id'),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    emoji: text('emoji'),
    color: text('color'),
    status: text('status', { enum: AGENT_STATUSES }).notNull(),
    /** Bumped by every status change: a transition only lands on the version it was decided on. */
    statusVersion: integer('status_version').notNull().default(0),
    statusChangedAt: ms('status_changed_at').notNull(),
    currentTask: text('current_task'),
    lastHeartbeatAt: ms('last_heartbeat_at'),
    templateId: text('template_id').references(() => agentTemplates.id, { onDelete: 'set null' }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('agents_org_name_uq').on(t.orgId, t.name),
    index('agents_org_idx').on(t.orgId, t.id),
    index('agents_org_status_idx').on(t.orgId, t.status, t.id),
    // Housekeeping looks for running agents whose last sign of life is older than a cutoff.
    index('agents_liveness_idx').on(t.status, t.lastHeartbeatAt),
  ],
);

/** One row per tag of an agent, so tag counts and tag matching are indexed queries. */
export const agentTags = sqliteTable(
  'agent_tags',
  {
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.tag] }), index('agent_tags_org_tag_idx').on(t.orgId, t.tag)],
);

export const agentTemplates = sqliteTable(
  'agent_templates',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    category: text('category'),
    featured: bool('featured'),
    sortOrder: integer('sort_order').notNull().default(0),
    emoji: text('emoji'),
    color: text('color'),
    roleId: text('role_id').references(() => agentRoles.id, { onDelete: 'set null' }),
    model: text('model'),
    tools: text('tools', { mode: 'json' }).$type<string[]>().notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Archiving is a soft delete: agents made from the template keep pointing at it. */
    archivedAt: ms('archived_at'),
  },
  (t) => [
    index('agent_templates_org_idx').on(t.orgId, t.id),
    // An archived template frees its slug.
    uniqueIndex('agent_templates_org_slug_uq').on(t.orgId, t.slug).where(sql`archived_at IS NULL`),
  ],
);
