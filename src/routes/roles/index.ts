import { createRoute, z } from '@hono/zod-openapi';
import { PROMPT_VARIABLES, previewPrompt } from '../../domain/agent-design/prompt';
import {
  LINK_KINDS,
  type LinkKind,
  listRoleLinks,
  removeRoleLink,
  setRoleLink,
} from '../../domain/agent-design/role-links';
import {
  createRole,
  deleteRole,
  getRoleRow,
  isDefault,
  listRoles,
  type RoleRow,
  resetRole,
  updateRole,
} from '../../domain/agent-design/roles';
import { SCOPE_NAMES } from '../../domain/auth/scopes';
import { BUILTIN_TOOL_NAMES } from '../../domain/tools/builtin-names';
import { DescriptionSchema, SlugNameSchema } from '../../http/fields';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { jsonObject } from '../../lib/json-value';
import { iso } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { ModelIdSchema } from '../agents/schemas';

const tags = ['Agent roles'];
export const canDesign: Access = { role: 'member', scope: 'agents:design' };

const RoleParams = OrgParamsSchema.extend({ roleId: pathId('roleId', 'rol_01hv…') });
const PromptTemplateSchema = z
  .string()
  .max(20_000)
  .openapi({ description: 'The prompt, with `{{variable}}` placeholders from `/prompt-variables`' });

const RoleSchema = z
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

const toRole = (r: RoleRow): z.infer<typeof RoleSchema> => ({
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

const RoleFields = z.object({
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

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/roles',
  tags,
  operationId: 'listRoles',
  summary: 'Agent roles by slug: the system roles (seeded for every organization) and custom ones',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(RoleSchema), 'A page of roles') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/roles',
  tags,
  operationId: 'createRole',
  summary: 'Create a custom role',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(RoleFields.strict()) },
  responses: { 201: jsonResponse(RoleSchema, 'The role') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/roles/{roleId}',
  tags,
  operationId: 'getRole',
  summary: 'A role with its prompt template and platform scopes',
  access: canReadAgents,
  request: { params: RoleParams },
  responses: { 200: jsonResponse(RoleSchema, 'The role') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/roles/{roleId}',
  tags,
  operationId: 'updateRole',
  summary: "Change a role's name, description, prompt template or platform scopes",
  access: canDesign,
  conflicts: true,
  request: {
    params: RoleParams,
    body: jsonBody(
      RoleFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(RoleSchema, 'The role') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/roles/{roleId}',
  tags,
  operationId: 'deleteRole',
  summary: 'Delete a custom role with its assignments; system roles answer 409',
  access: canDesign,
  conflicts: true,
  request: { params: RoleParams },
  responses: { 204: noContent },
});

const previewRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/roles/{roleId}/preview',
  tags,
  operationId: 'previewRolePrompt',
  summary: "Render the role's prompt (or a draft of it) with a context; report unknown and missing variables",
  access: canReadAgents,
  request: {
    params: RoleParams,
    body: jsonBody(
      z
        .object({
          context: jsonObject({ description: 'Values for the placeholders, nested or dotted' })
            .default({})
            .openapi({ example: { agent: { display_name: 'Felix' }, 'task.title': 'Add login' } }),
          template: PromptTemplateSchema.optional().openapi({
            description: 'A draft to preview instead of the saved one',
          }),
        })
        .strict(),
    ),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          rendered: z.string(),
          variables: z.array(z.string()),
          unknown: z.array(z.string()).openapi({ description: 'Placeholders not in the variable catalog' }),
          missing: z
            .array(z.string())
            .openapi({ description: 'Catalog variables used but not given a value' }),
        })
        .openapi('PromptPreview'),
      'The rendered prompt',
    ),
  },
});

const resetRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/roles/{roleId}/reset',
  tags,
  operationId: 'resetRole',
  summary: 'Reset a system role to its default; custom roles answer 409',
  access: canDesign,
  conflicts: true,
  request: { params: RoleParams },
  responses: { 200: jsonResponse(RoleSchema, 'The role') },
});

const variablesRoute = createRoute({
  method: 'get',
  path: '/prompt-variables',
  tags,
  operationId: 'listPromptVariables',
  summary: 'The context variables a role prompt can use, grouped by category',
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            category: z.string(),
            variables: z.array(z.object({ name: z.string(), description: z.string() })),
          }),
        ),
      }),
      'The catalog',
    ),
    ...errorResponses(401),
  },
});

const variableCatalog = Object.entries(PROMPT_VARIABLES).map(([category, vars]) => ({
  category,
  variables: Object.entries(vars).map(([name, description]) => ({ name, description })),
}));

const RoleLinkSchema = z
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

const toLink = (l: Awaited<ReturnType<typeof setRoleLink>>) => ({
  role_id: l.roleId,
  kind: l.kind,
  target_id: l.targetId,
  name: l.name,
  enabled: l.enabled,
  ...(l.requiresApproval !== undefined ? { requires_approval: l.requiresApproval } : {}),
  created_at: iso(l.createdAt),
  updated_at: iso(l.updatedAt),
});

const LinkBody = z.object({ enabled: z.boolean().default(true) }).strict();
const McpLinkBody = LinkBody.extend({
  requires_approval: z.boolean().optional().openapi({
    description: 'The server’s tools wait for a person’s approval (left out: unchanged, at first off)',
  }),
}).strict();

const linkPaths: Record<LinkKind, { segment: string; param: string; example: string; op: string }> = {
  skill: { segment: 'skills', param: 'skillId', example: 'skl_01hv…', op: 'Skill' },
  mode: { segment: 'modes', param: 'modeId', example: 'mod_01hv…', op: 'Mode' },
  mcp_server: { segment: 'mcp-servers', param: 'mcpServerId', example: 'mcp_01hv…', op: 'McpServer' },
};

const router = createRouter()
  .openapi(variablesRoute, (c) => c.json({ data: variableCatalog }, 200))
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => listRoles(c.var.ctx, p), toRole, 'slug'), 200);
  })
  .openapi(createRoute_, async (c) => {
    const role = await createRole(c.var.ctx, c.req.valid('json'));
    return c.json(toRole(role), 201);
  })
  .openapi(getRoute, async (c) => {
    const role = await getRoleRow(c.var.db, c.var.org.id, c.req.valid('param').roleId);
    return c.json(toRole(role), 200);
  })
  .openapi(updateRoute, async (c) => {
    const role = await updateRole(c.var.ctx, c.req.valid('param').roleId, c.req.valid('json'));
    return c.json(toRole(role), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteRole(c.var.ctx, c.req.valid('param').roleId);
    return c.body(null, 204);
  })
  .openapi(previewRoute, async (c) => {
    const body = c.req.valid('json');
    const role = await getRoleRow(c.var.db, c.var.org.id, c.req.valid('param').roleId);
    return c.json(previewPrompt(body.template ?? role.promptTemplate, body.context), 200);
  })
  .openapi(resetRoute, async (c) => {
    const role = await resetRole(c.var.ctx, c.req.valid('param').roleId);
    return c.json(toRole(role), 200);
  });

for (const kind of Object.keys(LINK_KINDS) as LinkKind[]) {
  const { segment, param, example, op } = linkPaths[kind];
  const label = LINK_KINDS[kind].label;
  const path = `/orgs/{orgId}/roles/{roleId}/${segment}`;
  const itemPath = `${path}/{${param}}`;
  const itemParams = RoleParams.extend({ [param]: pathId(param, example) });
  // The path parameter's name differs per kind, so handlers read it by name.
  const targetOf = (p: Record<string, string>) => p[param]!;

  router
    .openapi(
      orgRoute({
        method: 'get',
        path,
        tags,
        operationId: `listRole${op}s`,
        summary: `${label}s assigned to the role, each with its enabled toggle`,
        access: canReadAgents,
        request: { params: RoleParams },
        responses: {
          200: jsonResponse(z.object({ data: z.array(RoleLinkSchema) }), 'The assignments'),
        },
      }),
      async (c) => {
        const links = await listRoleLinks(c.var.db, c.var.org.id, c.req.valid('param').roleId, kind);
        return c.json({ data: links.map(toLink) }, 200);
      },
    )
    .openapi(
      orgRoute({
        method: 'put',
        path: itemPath,
        tags,
        operationId: `setRole${op}`,
        summary: `Assign a ${label.toLowerCase()} to the role, or toggle its assignment`,
        access: canDesign,
        request: {
          params: itemParams,
          body: {
            required: false,
            content: {
              'application/json': { schema: kind === 'mcp_server' ? McpLinkBody : LinkBody },
            },
          },
        },
        responses: { 200: jsonResponse(RoleLinkSchema, 'The assignment') },
      }),
      async (c) => {
        const p = c.req.param() as Record<string, string>;
        const body: z.infer<typeof McpLinkBody> = c.req.header('Content-Type')?.includes('json')
          ? c.req.valid('json')
          : { enabled: true };
        const link = await setRoleLink(c.var.ctx, p.roleId!, kind, targetOf(p), {
          enabled: body.enabled,
          requiresApproval: body.requires_approval,
        });
        return c.json(toLink(link), 200);
      },
    )
    .openapi(
      orgRoute({
        method: 'delete',
        path: itemPath,
        tags,
        operationId: `removeRole${op}`,
        summary: `Remove a ${label.toLowerCase()} from the role`,
        access: canDesign,
        request: { params: itemParams },
        responses: { 204: noContent },
      }),
      async (c) => {
        const p = c.req.param() as Record<string, string>;
        await removeRoleLink(c.var.ctx, p.roleId!, kind, targetOf(p));
        return c.body(null, 204);
      },
    );
}

export const rolesRouter = router;
