import { z } from '@hono/zod-openapi';
import { previewPrompt } from '../../domain/agent-design/prompt';
import {
  createRole,
  deleteRole,
  getRoleRow,
  listRoles,
  resetRole,
  updateRole,
} from '../../domain/agent-design/roles';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { jsonObject } from '../../lib/json-value';
import { canReadAgents } from '../agents/agents';
import { PromptTemplateSchema, RoleFields, RoleParams, RoleSchema, toRole } from './schemas';

const tags = ['Agent roles'];
export const canDesign: Access = { role: 'member', scope: 'agents:design' };

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

export const roleRoutes = createRouter()
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
