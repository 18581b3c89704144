import { z } from '@hono/zod-openapi';
import { addDependenciesBulk, MAX_BULK_DEPENDENCIES } from '../../domain/work/dependencies';
import {
  clearTickets,
  createProject,
  deleteProject,
  getProject,
  listProjectsWithSystem,
  projectSettings,
  systemProject,
  updateProject,
} from '../../domain/work/projects';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  CreateProjectSchema,
  ProjectParamsSchema,
  ProjectSchema,
  tags,
  toProject,
  toProjectInput,
  UpdateProjectSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects',
  tags,
  operationId: 'listProjects',
  summary: 'Projects, oldest first; the system project is made on first use',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ProjectSchema), 'A page of projects') },
});

const createProjectRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/projects',
  tags,
  operationId: 'createProject',
  summary: 'Create a project',
  access: { role: 'member', scope: 'projects:write' },
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateProjectSchema) },
  responses: { 201: jsonResponse(ProjectSchema, 'The project') },
});

const systemRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/system',
  tags,
  operationId: 'getSystemProject',
  summary: 'The organization’s system project (made on first use)',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: OrgParamsSchema },
  responses: { 200: jsonResponse(ProjectSchema, 'The system project') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}',
  tags,
  operationId: 'getProject',
  summary: 'A project',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: ProjectParamsSchema },
  responses: { 200: jsonResponse(ProjectSchema, 'The project') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/projects/{projectId}',
  tags,
  operationId: 'updateProject',
  summary: 'Change a project’s name, description, repository or settings',
  access: { role: 'member', scope: 'projects:write' },
  request: { params: ProjectParamsSchema, body: jsonBody(UpdateProjectSchema) },
  responses: { 200: jsonResponse(ProjectSchema, 'The project') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/projects/{projectId}',
  tags,
  operationId: 'deleteProject',
  summary: 'Delete a project with its tickets and documents (admins; never the system project: 409)',
  access: { role: 'admin', scope: 'projects:write' },
  conflicts: true,
  request: { params: ProjectParamsSchema },
  responses: { 204: noContent },
});

const settingsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/settings',
  tags,
  operationId: 'getProjectSettings',
  summary: 'The project’s settings with its repository and ticket, dependency and document figures',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: ProjectParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        project: ProjectSchema.pick({ id: true, name: true, system: true }),
        repository: ProjectSchema.shape.repository,
        settings: ProjectSchema.shape.settings,
        tickets: z.object({
          total: z.number().int(),
          subtasks: z.number().int(),
          by_status: z.record(z.string(), z.number().int()),
        }),
        dependencies: z.number().int(),
        documents: z.object({ count: z.number().int(), bytes: z.number().int() }),
      }),
      'The aggregated settings',
    ),
  },
});

const clearRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/projects/{projectId}/tickets',
  tags,
  operationId: 'deleteProjectTickets',
  summary: 'Delete every ticket of the project with their comments and dependencies (admins)',
  access: { role: 'admin', scope: 'tickets:write' },
  request: { params: ProjectParamsSchema },
  responses: { 200: jsonResponse(z.object({ deleted: z.number().int() }), 'How many went') },
});

const bulkDependenciesRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/projects/{projectId}/dependencies',
  tags,
  operationId: 'addProjectDependencies',
  summary: `Add up to ${MAX_BULK_DEPENDENCIES} dependencies between tickets of the project; all or nothing, cycles refused`,
  access: { role: 'member', scope: 'tickets:write' },
  idempotent: true,
  conflicts: true,
  request: {
    params: ProjectParamsSchema,
    body: jsonBody(
      z.object({
        edges: z
          .array(z.object({ ticket_id: z.string().max(100), depends_on_id: z.string().max(100) }))
          .min(1)
          .max(MAX_BULK_DEPENDENCIES),
      }),
    ),
  },
  responses: {
    201: jsonResponse(z.object({ added: z.number().int() }), 'How many were added'),
  },
});

export const projectsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const page = await paged(
      c.env,
      c.req.valid('query'),
      (p) => listProjectsWithSystem(c.var.ctx, p),
      toProject,
    );
    return c.json(page, 200);
  })
  .openapi(createProjectRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await createProject(c.var.ctx, { ...toProjectInput(b), name: b.name });
    return c.json(toProject(row), 201);
  })
  .openapi(systemRoute, async (c) => c.json(toProject(await systemProject(c.var.ctx, c.var.ctx.orgId)), 200))
  .openapi(getRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    return c.json(toProject(await getProject(c.var.db, c.var.org.id, projectId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const row = await updateProject(c.var.ctx, projectId, toProjectInput(c.req.valid('json')));
    return c.json(toProject(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    await deleteProject(c.var.ctx, projectId);
    return c.body(null, 204);
  })
  .openapi(settingsRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const s = await projectSettings(c.var.db, c.var.org.id, projectId);
    const total = Object.values(s.ticketsByStatus).reduce((a, b) => a + b, 0);
    return c.json(
      {
        project: { id: s.project.id, name: s.project.name, system: s.project.system },
        repository: { url: s.project.repoUrl, default_branch: s.project.defaultBranch },
        settings: s.project.settings,
        tickets: { total, subtasks: s.subtasks, by_status: s.ticketsByStatus },
        dependencies: s.dependencies,
        documents: s.documents,
      },
      200,
    );
  })
  .openapi(clearRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    return c.json({ deleted: await clearTickets(c.var.ctx, projectId) }, 200);
  })
  .openapi(bulkDependenciesRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const { edges } = c.req.valid('json');
    await addDependenciesBulk(
      c.var.ctx,
      c.var.ctx.orgId,
      projectId,
      edges.map((e) => ({ ticketId: e.ticket_id, dependsOnId: e.depends_on_id })),
    );
    return c.json({ added: edges.length }, 201);
  });
