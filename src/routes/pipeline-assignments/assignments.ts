import {
  createAssignment,
  deleteAssignment,
  getAssignment,
  listAssignments,
  updateAssignment,
} from '../../domain/assignments/assignments';
import { viewOf, viewsOf } from '../../domain/assignments/view';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import type { JsonValue } from '../../lib/json-value';
import {
  AssignmentParamsSchema,
  AssignmentSchema,
  CreateAssignmentSchema,
  DEFAULT_NEXT,
  NextQuerySchema,
  ProjectParamsSchema,
  tags,
  toAssignment,
  toAssignmentInput,
  UpdateAssignmentSchema,
} from './schemas';

const base = '/orgs/{orgId}/projects/{projectId}/pipeline-assignments';

const listRoute = orgRoute({
  method: 'get',
  path: base,
  tags,
  operationId: 'listPipelineAssignments',
  summary: 'The project’s pipeline assignments, oldest first, with upcoming slots and last runs',
  access: { role: 'viewer', scope: 'pipelines:read' },
  request: { params: ProjectParamsSchema, query: PageQuerySchema.extend(NextQuerySchema.shape) },
  responses: { 200: jsonResponse(pageOf(AssignmentSchema), 'A page of assignments') },
});

const createRoute = orgRoute({
  method: 'post',
  path: base,
  tags,
  operationId: 'createPipelineAssignment',
  summary: 'Run a pipeline for the project on a cron schedule',
  description:
    'An invalid cron expression, time zone or input placeholder is a 422 saying what to change. Slots before the assignment was created never run.',
  access: { role: 'member', scope: 'pipelines:write' },
  idempotent: true,
  request: { params: ProjectParamsSchema, body: jsonBody(CreateAssignmentSchema) },
  responses: { 201: jsonResponse(AssignmentSchema, 'The assignment') },
});

const getRoute = orgRoute({
  method: 'get',
  path: `${base}/{assignmentId}`,
  tags,
  operationId: 'getPipelineAssignment',
  summary: 'A pipeline assignment with its next fire times and last run',
  access: { role: 'viewer', scope: 'pipelines:read' },
  request: { params: AssignmentParamsSchema, query: NextQuerySchema },
  responses: { 200: jsonResponse(AssignmentSchema, 'The assignment') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: `${base}/{assignmentId}`,
  tags,
  operationId: 'updatePipelineAssignment',
  summary: 'Change an assignment’s pipeline, schedule, input, missed-slot policy, or enable it',
  description:
    'A new expression or time zone, or enabling a disabled assignment, starts counting from now: earlier slots are not treated as missed.',
  access: { role: 'member', scope: 'pipelines:write' },
  request: { params: AssignmentParamsSchema, body: jsonBody(UpdateAssignmentSchema) },
  responses: { 200: jsonResponse(AssignmentSchema, 'The assignment') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: `${base}/{assignmentId}`,
  tags,
  operationId: 'deletePipelineAssignment',
  summary: 'Delete a pipeline assignment (its runs stay)',
  access: { role: 'member', scope: 'pipelines:write' },
  request: { params: AssignmentParamsSchema },
  responses: { 204: noContent },
});

export const assignmentsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const { next, ...query } = c.req.valid('query');
    const page = await paged(
      c.env,
      query,
      async (p) => viewsOf(c.var.ctx, await listAssignments(c.var.ctx, projectId, p), next),
      toAssignment,
    );
    return c.json(page, 200);
  })
  .openapi(createRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const b = c.req.valid('json');
    const row = await createAssignment(c.var.ctx, projectId, {
      pipelineId: b.pipeline_id,
      cron: b.cron,
      timezone: b.timezone,
      inputTemplate: b.input_template as JsonValue,
      enabled: b.enabled,
      missedPolicy: b.missed_policy,
      missedCap: b.missed_cap,
    });
    return c.json(toAssignment(await viewOf(c.var.ctx, row, DEFAULT_NEXT)), 201);
  })
  .openapi(getRoute, async (c) => {
    const { projectId, assignmentId } = c.req.valid('param');
    const row = await getAssignment(c.var.ctx, projectId, assignmentId);
    return c.json(toAssignment(await viewOf(c.var.ctx, row, c.req.valid('query').next)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { projectId, assignmentId } = c.req.valid('param');
    const row = await updateAssignment(
      c.var.ctx,
      projectId,
      assignmentId,
      toAssignmentInput(c.req.valid('json')),
    );
    return c.json(toAssignment(await viewOf(c.var.ctx, row, DEFAULT_NEXT)), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { projectId, assignmentId } = c.req.valid('param');
    await deleteAssignment(c.var.ctx, projectId, assignmentId);
    return c.body(null, 204);
  });
