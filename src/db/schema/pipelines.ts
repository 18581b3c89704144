import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Snapshot, TemplateSnapshot } from '../../domain/pipelines/snapshot';
import { agents } from './agents';
import { bool, createdAt, orgId, updatedAt } from './columns';
import { projects } from './work';

/** What a new run does when a run of the same pipeline for the same project/ticket is active. */
export const CONCURRENCY_POLICIES = ['reject', 'enqueue', 'interrupt', 'allow'] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

/**
 * A pipeline is a name and a pointer to its current version; its steps and edges live in immutable
 * `pipeline_versions`, so a run pins exactly the graph it started with.
 */
export const pipelines = sqliteTable(
  'pipelines',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** Null: an organization-wide pipeline. */
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    concurrency: text('concurrency', { enum: CONCURRENCY_POLICIES }).notNull(),
    currentVersionId: text('current_version_id').notNull(),
    /** Number of the current version; a change lands only on the version it was made from. */
    currentVersion: integer('current_version').notNull(),
    isDefault: bool('is_default'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('pipelines_org_idx').on(t.orgId, t.id),
    // Lists filtered by project.
    index('pipelines_project_idx').on(t.orgId, t.projectId, t.id),
    // At most one default per project and one per organization (NULLs are distinct in a unique index).
    uniqueIndex('pipelines_project_default_uq')
      .on(t.orgId, t.projectId)
      .where(sql`is_default = 1 AND project_id IS NOT NULL`),
    uniqueIndex('pipelines_org_default_uq').on(t.orgId).where(sql`is_default = 1 AND project_id IS NULL`),
  ],
);

/** Never updated: every change to steps or edges inserts the next version. */
export const pipelineVersions = sqliteTable(
  'pipeline_versions',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    pipelineId: text('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    snapshot: text('snapshot', { mode: 'json' }).$type<Snapshot>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Two concurrent changes from the same version collide here: one lands, the other is a 409.
    uniqueIndex('pipeline_versions_pipeline_version_uq').on(t.pipelineId, t.version),
    index('pipeline_versions_org_idx').on(t.orgId, t.id),
  ],
);

/** An organization's own templates; the built-in ones live in code. */
export const pipelineTemplates = sqliteTable(
  'pipeline_templates',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    concurrency: text('concurrency', { enum: CONCURRENCY_POLICIES }).notNull(),
    snapshot: text('snapshot', { mode: 'json' }).$type<TemplateSnapshot>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('pipeline_templates_org_idx').on(t.orgId, t.id)],
);

/** Members answer in parallel and the leader synthesises their answers. */
export const councils = sqliteTable(
  'councils',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    /** Deleting the leader agent leaves the council without one until a new leader is set. */
    leaderAgentId: text('leader_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('councils_org_idx').on(t.orgId, t.id)],
);

export const councilMembers = sqliteTable(
  'council_members',
  {
    councilId: text('council_id')
      .notNull()
      .references(() => councils.id, { onDelete: 'cascade' }),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    /** Members keep the order they were given in. */
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.councilId, t.agentId] }),
    // Deleting an agent finds its memberships.
    index('council_members_agent_idx').on(t.agentId),
  ],
);
