import { agentRoles } from '../../db/schema';
import { newId } from '../../lib/ids';
import type { Scope } from '../auth/scopes';
import type { OrgCtx } from '../context';
import { assertModelIds } from '../models/references';
import type { BuiltinToolName } from '../tools/builtin-names';
import { seededCatalog } from './seeded-catalog';

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

const catalog = seededCatalog({
  kind: 'role',
  what: 'Role',
  idPrefix: 'rol',
  table: agentRoles,
  system: SYSTEM_ROLES,
});

export const getRoleRow = catalog.get;
export const listRoles = catalog.list;
/**
 * A custom role goes, and foreign keys take its assignments, links and mode sessions with it and
 * clear it from agents and templates.
 */
export const deleteRole = (ctx: OrgCtx, roleId: string) => catalog.remove(ctx, roleId);
export const resetRole = catalog.reset;
export const isDefault = catalog.isDefault;

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

export async function createRole(ctx: OrgCtx, input: RoleInput): Promise<RoleRow> {
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  const now = Date.now();
  return catalog.create(ctx, {
    id: newId('rol', now),
    orgId: ctx.orgId,
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
  });
}

export async function updateRole(ctx: OrgCtx, roleId: string, input: Partial<RoleInput>) {
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  return catalog.update(ctx, roleId, input, {
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.prompt_template !== undefined ? { promptTemplate: input.prompt_template } : {}),
    ...(input.platform_scopes !== undefined ? { platformScopes: input.platform_scopes } : {}),
    ...(input.tools_requiring_approval !== undefined
      ? { toolsRequiringApproval: input.tools_requiring_approval }
      : {}),
    ...(input.model_id !== undefined ? { modelId: input.model_id } : {}),
  });
}
