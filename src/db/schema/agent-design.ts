import { sql } from 'drizzle-orm';
import type { AnySQLiteColumn, SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agents } from './agents';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';
import { mcpServers } from './mcp';
import { vaultItems } from './vault';
import { projects } from './work';

/** `enabled` columns default to on: a thing is usable as soon as it exists. */
const enabled = () => integer('enabled', { mode: 'boolean' }).notNull().default(true);

/** System roles are seeded per organization (and can be reset); custom roles are the org's own. */
export const agentRoles = sqliteTable(
  'agent_roles',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    system: bool('system'),
    /** The prompt, with `{{variable}}` placeholders from the context-variable catalog. */
    promptTemplate: text('prompt_template').notNull(),
    /** API scopes the role's agents may use. */
    platformScopes: text('platform_scopes', { mode: 'json' }).$type<string[]>().notNull(),
    /** The registry model the role's agents use unless the agent names its own (see models/resolve). */
    modelId: text('model_id'),
    /** Built-in agent tools (e.g. `tickets.create`) that wait for a person's approval before running. */
    toolsRequiringApproval: text('tools_requiring_approval', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('agent_roles_org_slug_uq').on(t.orgId, t.slug),
    index('agent_roles_org_idx').on(t.orgId, t.id),
  ],
);

export const roleAssignments = sqliteTable(
  'role_assignments',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    roleId: text('role_id')
      .notNull()
      .references(() => agentRoles.id, { onDelete: 'cascade' }),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    /** Null: the assignment holds in every project. */
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // A role is assigned to an agent once per project, and once for all projects.
    uniqueIndex('role_assignments_project_uq')
      .on(t.roleId, t.agentId, t.projectId)
      .where(sql`project_id IS NOT NULL`),
    uniqueIndex('role_assignments_global_uq').on(t.roleId, t.agentId).where(sql`project_id IS NULL`),
    index('role_assignments_org_idx').on(t.orgId, t.id),
    index('role_assignments_agent_idx').on(t.orgId, t.agentId),
    index('role_assignments_project_idx').on(t.orgId, t.projectId),
    index('role_assignments_creator_idx').on(t.orgId, t.createdBy, t.id),
  ],
);

export const skills = sqliteTable(
  'skills',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    instructions: text('instructions').notNull(),
    enabled: enabled(),
    /** Other front-matter fields of an uploaded skill, kept as given. */
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** The vault item holding the skill's credentials, if any; never the values themselves. */
    credentialsItemId: text('credentials_item_id').references(() => vaultItems.id, { onDelete: 'set null' }),
    credentialsUpdatedAt: ms('credentials_updated_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('skills_org_name_uq').on(t.orgId, t.name), index('skills_org_idx').on(t.orgId, t.id)],
);

export const modes = sqliteTable(
  'modes',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    instructions: text('instructions').notNull(),
    system: bool('system'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('modes_org_slug_uq').on(t.orgId, t.slug), index('modes_org_idx').on(t.orgId, t.id)],
);

export const MODE_SESSION_STATUSES = ['active', 'completed', 'cancelled'] as const;

export const modeSessions = sqliteTable(
  'mode_sessions',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    modeId: text('mode_id')
      .notNull()
      .references(() => modes.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    roleId: text('role_id')
      .notNull()
      .references(() => agentRoles.id, { onDelete: 'cascade' }),
    status: text('status', { enum: MODE_SESSION_STATUSES }).notNull(),
    draft: text('draft').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    endedAt: ms('ended_at'),
  },
  (t) => [
    // At most one active session per project and role: the unique index decides races.
    uniqueIndex('mode_sessions_active_uq').on(t.orgId, t.projectId, t.roleId).where(sql`status = 'active'`),
    index('mode_sessions_org_idx').on(t.orgId, t.id),
  ],
);

export const modeArtifacts = sqliteTable(
  'mode_artifacts',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    sessionId: text('session_id')
      .notNull()
      .references(() => modeSessions.id, { onDelete: 'cascade' }),
    modeId: text('mode_id')
      .notNull()
      .references(() => modes.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    roleId: text('role_id')
      .notNull()
      .references(() => agentRoles.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    content: text('content').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  // Artifacts are listed per project, newest first.
  (t) => [index('mode_artifacts_project_idx').on(t.orgId, t.projectId, t.id)],
);

export const agentRules = sqliteTable(
  'agent_rules',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    /** Null: the rule applies to every agent of the organization. */
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    category: text('category').notNull(),
    rule: text('rule').notNull(),
    permanent: bool('permanent'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('agent_rules_org_idx').on(t.orgId, t.id),
    index('agent_rules_agent_idx').on(t.orgId, t.agentId),
  ],
);

/** Role ↔ skill, mode and MCP server links, each with its own on/off switch. */
const roleLink = <E extends Record<string, SQLiteColumnBuilderBase> = Record<never, never>>(
  name: string,
  column: string,
  target: () => AnySQLiteColumn,
  extra?: E,
) =>
  sqliteTable(
    name,
    {
      ...(extra as E),
      roleId: text('role_id')
        .notNull()
        .references(() => agentRoles.id, { onDelete: 'cascade' }),
      targetId: text(column).notNull().references(target, { onDelete: 'cascade' }),
      orgId: orgId(),
      enabled: enabled(),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [primaryKey({ columns: [t.roleId, t.targetId] }), index(`${name}_target_idx`).on(t.targetId)],
  );

export const roleSkills = roleLink('role_skills', 'skill_id', () => skills.id);
export const roleModes = roleLink('role_modes', 'mode_id', () => modes.id);
export const roleMcpServers = roleLink('role_mcp_servers', 'mcp_server_id', () => mcpServers.id, {
  /** Every tool of the server waits for a person's approval before it runs for this role's agents. */
  requiresApproval: bool('requires_approval'),
});
