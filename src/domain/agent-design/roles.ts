import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agentRoles } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import type { Scope } from '../auth/scopes';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { assertModelIds } from '../models/references';
import type { BuiltinToolName } from '../tools/builtin-names';
import { slugRules } from './seeded-slugs';

export type RoleRow = typeof agentRoles.$inferSelect;

interface RoleDefault {
  name: string;
  description: string;
  promptTemplate: string;
  platformScopes: Scope[];
}

/** The roles every organization has; each can be edited and reset to what is written here. */
export const SYSTEM_ROLES: Record<string, RoleDefault> = {
  planner: {
    name: 'Planner',
    description: 'Turns goals into ordered, dependency-aware work',
    promptTemplate:
      'You are {{agent.display_name}}, the planner of {{org.name}}. Break "{{task.title}}" in project ' +
      '{{project.name}} into small tickets with clear acceptance criteria and dependencies.\n\n' +
      '{{skills.instructions}}\n\nRules:\n{{rules}}',
    platformScopes: ['agents:read', 'tickets:read', 'tickets:write', 'projects:read'],
  },
  engineer: {
    name: 'Engineer',
    description: 'Implements tickets and reports progress',
    promptTemplate:
      'You are {{agent.display_name}}, an engineer at {{org.name}}. Implement "{{task.title}}": ' +
      '{{task.description}}\nWork in small verified steps and report what you changed.\n\n' +
      '{{skills.instructions}}\n\nRules:\n{{rules}}',
    platformScopes: ['agents:read', 'agents:runtime', 'tickets:read', 'tickets:write'],
  },
  reviewer: {
    name: 'Reviewer',
    description: 'Reviews work against its acceptance criteria',
    promptTemplate:
      'You are {{agent.display_name}}, a reviewer at {{org.name}}. Review the work on "{{task.title}}" ' +
      'against its acceptance criteria; say what must change and why.\n\n{{skills.instructions}}\n\n' +
      'Rules:\n{{rules}}',
    platformScopes: ['agents:read', 'tickets:read', 'tickets:write'],
  },
  researcher: {
    name: 'Researcher',
    description: 'Finds and summarises what the team needs to know',
    promptTemplate:
      'You are {{agent.display_name}}, a researcher at {{org.name}}. Research "{{task.title}}" and ' +
      'report findings with sources and open questions.\n\n{{skills.instructions}}\n\nRules:\n{{rules}}',
    platformScopes: ['agents:read', 'projects:read'],
  },
};

/**
 * Seeds the system roles of an organization the first time its roles are looked at; the unique
 * (org_id, slug) index makes this safe to run concurrently and repeatedly.
 */
export async function ensureSystemRoles(db: Db, orgId: string) {
  const now = Date.now();
  await db
    .insert(agentRoles)
    .values(
      Object.entries(SYSTEM_ROLES).map(([slug, d]) => ({
        id: newId('rol', now),
        orgId,
        slug,
        system: true,
        ...d,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing();
}

export const getRoleRow = (db: Db, orgId: string, roleId: string) =>
  getInOrg(db, agentRoles, 'Role', orgId, roleId);

/** Ordered by slug, which the (org_id, slug) unique index serves; the cursor is the last slug. */
export async function listRoles(ctx: OrgCtx, page: PageRequest) {
  await ensureSystemRoles(ctx.db, ctx.orgId);
  return pageInOrg(ctx.db, agentRoles, ctx.orgId, page, undefined, { by: 'slug' });
}

export interface RoleInput {
  slug: string;
  name: string;
  description?: string | null;
  prompt_template?: string;
  platform_scopes?: Scope[];
  tools_requiring_approval?: BuiltinToolName[];
  /** A model of the registry that the role's agents use unless they name their own. */
  model_id?: string | null;
}

const slugs = slugRules('role', SYSTEM_ROLES);

export async function createRole(ctx: OrgCtx, input: RoleInput): Promise<RoleRow> {
  const { orgId } = ctx;
  slugs.assertNotReserved(input.slug);
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  const now = Date.now();
  const role: RoleRow = {
    id: newId('rol', now),
    orgId,
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    system: false,
    promptTemplate: input.prompt_template ?? '',
    platformScopes: input.platform_scopes ?? [],
    toolsRequiringApproval: input.tools_requiring_approval ?? [],
    modelId: input.model_id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await slugs.write(ctx, input.slug, [
    ctx.db.insert(agentRoles).values(role),
    activityInsert(ctx, {
      orgId,
      action: 'role.created',
      entityType: 'role',
      entityId: role.id,
      metadata: { slug: role.slug },
    }),
  ]);
  return role;
}

export async function updateRole(ctx: OrgCtx, roleId: string, input: Partial<RoleInput>) {
  const { orgId } = ctx;
  const role = await getRoleRow(ctx.db, orgId, roleId);
  slugs.assertMayChange(role, input.slug);
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  const changes: Partial<RoleRow> = {
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.prompt_template !== undefined ? { promptTemplate: input.prompt_template } : {}),
    ...(input.platform_scopes !== undefined ? { platformScopes: input.platform_scopes } : {}),
    ...(input.tools_requiring_approval !== undefined
      ? { toolsRequiringApproval: input.tools_requiring_approval }
      : {}),
    ...(input.model_id !== undefined ? { modelId: input.model_id } : {}),
  };
  const now = Date.now();
  await slugs.write(ctx, input.slug, [
    ctx.db
      .update(agentRoles)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(agentRoles.orgId, orgId), eq(agentRoles.id, roleId))),
    activityInsert(ctx, {
      orgId,
      action: 'role.updated',
      entityType: 'role',
      entityId: roleId,
      metadata: { slug: changes.slug ?? role.slug, changed: Object.keys(input) },
    }),
  ]);
  return { ...role, ...changes, updatedAt: now };
}

/** A custom role goes with its assignments and links; agents that had it keep no role. */
export async function deleteRole(ctx: OrgCtx, roleId: string) {
  const { orgId } = ctx;
  const role = await getRoleRow(ctx.db, orgId, roleId);
  if (role.system) throw conflict('System roles cannot be deleted; reset them instead');
  const { db } = ctx;
  // Foreign keys take the role's assignments, links and mode sessions with it, and clear it from
  // agents and templates.
  await db.batch([
    db.delete(agentRoles).where(and(eq(agentRoles.orgId, orgId), eq(agentRoles.id, roleId))),
    activityInsert(ctx, {
      orgId,
      action: 'role.deleted',
      entityType: 'role',
      entityId: roleId,
      metadata: { slug: role.slug },
    }),
  ]);
}

/** Puts a system role's name, description, prompt and scopes back to their defaults. */
export async function resetRole(ctx: OrgCtx, roleId: string) {
  const { orgId } = ctx;
  const role = await getRoleRow(ctx.db, orgId, roleId);
  const defaults = SYSTEM_ROLES[role.slug];
  if (!role.system || !defaults) throw conflict('Only system roles can be reset; this one is custom');
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(agentRoles)
      .set({ ...defaults, updatedAt: now })
      .where(and(eq(agentRoles.orgId, orgId), eq(agentRoles.id, roleId))),
    activityInsert(ctx, {
      orgId,
      action: 'role.reset',
      entityType: 'role',
      entityId: roleId,
      metadata: { slug: role.slug },
    }),
  ]);
  return { ...role, ...defaults, updatedAt: now };
}

/** Whether a system role still reads as its default; null for custom roles. */
export function isDefault(role: RoleRow): boolean | null {
  const d = SYSTEM_ROLES[role.slug];
  if (!role.system || !d) return null;
  return (
    role.name === d.name &&
    role.description === d.description &&
    role.promptTemplate === d.promptTemplate &&
    JSON.stringify(role.platformScopes) === JSON.stringify(d.platformScopes)
  );
}
