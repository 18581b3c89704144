import { z } from '@hono/zod-openapi';
import {
  type AssignmentFilter,
  assignRole,
  getAssignment,
  listAssignments,
  type RoleAssignmentRow,
  unassignRole,
} from '../../domain/agent-design/role-assignments';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

const tags = ['Agent roles'];

const AssignmentSchema = z
  .object({
    id: z.string().openapi({ example: 'ras_01hv…' }),
    role_id: z.string(),
    agent_id: z.string(),
    project_id: z.string().nullable().openapi({ description: 'Null: the assignment holds in every project' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
  })
  .openapi('RoleAssignment');

const toAssignment = (r: RoleAssignmentRow): z.infer<typeof AssignmentSchema> => ({
  id: r.id,
  role_id: r.roleId,
  agent_id: r.agentId,
  project_id: r.projectId,
  created_by: r.createdBy,
  created_at: iso(r.createdAt),
});

const FilterSchema = PageQuerySchema.extend({
  agent_id: z.string().max(64).optional(),
  role_id: z.string().max(64).optional(),
  project_id: z.string().max(64).optional(),
});
const Params = OrgParamsSchema.extend({ assignmentId: pathId('assignmentId', 'ras_01hv…') });

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/role-assignments',
  tags,
  operationId: 'assignRole',
  summary: 'Assign a role to an agent, in one project or (without project_id) in all',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z
        .object({
          role_id: z.string().max(64),
          agent_id: z.string().max(64),
          project_id: z.string().min(1).max(64).nullable().optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(AssignmentSchema, 'The assignment') },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/role-assignments',
  tags,
  operationId: 'listRoleAssignments',
  summary: 'Role assignments, newest first, by agent, role or project',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: FilterSchema },
  responses: { 200: jsonResponse(pageOf(AssignmentSchema), 'A page of assignments') },
});

const mineRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/role-assignments/mine',
  tags,
  operationId: 'listMyRoleAssignments',
  summary: 'Role assignments the caller made, newest first',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: FilterSchema },
  responses: { 200: jsonResponse(pageOf(AssignmentSchema), 'A page of assignments') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/role-assignments/{assignmentId}',
  tags,
  operationId: 'getRoleAssignment',
  summary: 'A role assignment',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(AssignmentSchema, 'The assignment') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/role-assignments/{assignmentId}',
  tags,
  operationId: 'deleteRoleAssignment',
  summary: 'Remove a role assignment',
  access: canDesign,
  request: { params: Params },
  responses: { 204: noContent },
});

const filterOf = (q: z.infer<typeof FilterSchema>): AssignmentFilter => ({
  agentId: q.agent_id,
  roleId: q.role_id,
  projectId: q.project_id,
});

export const roleAssignmentsRouter = createRouter()
  .openapi(mineRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.var.principal;
    const createdBy = p.type === 'user' ? p.userId : p.keyId;
    const rows = await listAssignments(
      c.var.db,
      c.var.org.id,
      { ...filterOf(q), createdBy },
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toAssignment), 200);
  })
  .openapi(createRoute_, async (c) => {
    const row = await assignRole(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toAssignment(row), 201);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listAssignments(
      c.var.db,
      c.var.org.id,
      filterOf(q),
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toAssignment), 200);
  })
  .openapi(getRoute, async (c) => {
    const row = await getAssignment(c.var.db, c.var.org.id, c.req.valid('param').assignmentId);
    return c.json(toAssignment(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await unassignRole(ctxOf(c), c.var.org.id, c.req.valid('param').assignmentId);
    return c.body(null, 204);
  });
