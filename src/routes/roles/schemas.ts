import { z } from '@hono/zod-openapi';
import type { setRoleLink } from '../../domain/agent-design/role-links';
import { isDefault, type RoleRow } from '../../domain/agent-design/roles';
import { SCOPE_NAMES } from '../../domain/auth/scopes';
import { BUILTIN_TOOL_NAMES } from '../../domain/tools/builtin-names';
import { DescriptionSchema, SlugNameSchema } from '../../http/fields';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso } from '../../lib/time';
import { ModelIdSchema } from '../agents/schemas';

export const RoleParams = OrgParamsSchema.extend({ roleId: pathId('roleId', 'rol_01hv…') });
export const PromptTemplateSchema = z
  .string()
  .max(20_000)
  .openapi({ description: 'The prompt, with `{{variable}}` placeholders from `/prompt-variables`' });

export const RoleSchema = z
  .object({
    id: z.string(),
    slug: z.string().openapi({ example: 'engineer' }),
    name: z.string(),
    description: z.string().nullable(),
    system: z.boolean().openapi({ description: 'Seeded for every organization; can be reset, not deleted' }),
    is_default: z.boolean().nullable().openapi({ description: 'For a system role, whether it is unchanged' }),
    prompt_template: z.string(),
    platform_scopes: z.array(z.string()).openapi({ description: "API scopes the role's agents may use" }),
    tools_requiring_approval: z
      .array(z.string())
      .openapi({ description: 'Built-in agent tools that wait for a person’s approval before they run' }),
    model_id: z.string().nullable().openapi({
      description:
        'The registry model (`…/models`) the role’s agents use unless they name their own; null for none',
    }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('AgentRole');

export const toRole = (r: RoleRow): z.infer<typeof RoleSchema> => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  system: r.system,
  is_default: isDefault(r),
  prompt_template: r.promptTemplate,
  platform_scopes: r.platformScopes,
  tools_requiring_approval: r.toolsRequiringApproval,
  model_id: r.modelId,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

export const RoleFields = z.object({
  slug: SlugNameSchema,
  name: z.string().min(1).max(100),
  description: DescriptionSchema.nullable().optional(),
  prompt_template: PromptTemplateSchema.optional(),
  platform_scopes: z
    .array(z.enum(SCOPE_NAMES))
    .max(SCOPE_NAMES.length)
    .refine((s) => new Set(s).size === s.length, 'Scopes must not repeat')
    .optional(),
  tools_requiring_approval: z
    .array(z.enum(BUILTIN_TOOL_NAMES))
    .max(BUILTIN_TOOL_NAMES.length)
    .refine((s) => new Set(s).size === s.length, 'Tools must not repeat')
    .optional(),
  model_id: ModelIdSchema,
});

export const RoleLinkSchema = z
  .object({
    role_id: z.string(),
    kind: z.enum(['skill', 'mode', 'mcp_server']),
    target_id: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    requires_approval: z
      .boolean()
      .optional()
      .openapi({ description: 'MCP server links only: the server’s tools wait for a person’s approval' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('RoleAssignmentLink');

export const toLink = (l: Awaited<ReturnType<typeof setRoleLink>>) => ({
  role_id: l.roleId,
  kind: l.kind,
  target_id: l.targetId,
  name: l.name,
  enabled: l.enabled,
  ...(l.requiresApproval !== undefined ? { requires_approval: l.requiresApproval } : {}),
  created_at: iso(l.createdAt),
  updated_at: iso(l.updatedAt),
});

export const LinkBody = z.object({ enabled: z.boolean().default(true) }).strict();
export const McpLinkBody = LinkBody.extend({
  requires_approval: z.boolean().optional().openapi({
    description: 'The server’s tools wait for a person’s approval (left out: unchanged, at first off)',
  }),
}).strict();
