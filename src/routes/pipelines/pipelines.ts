import { z } from '@hono/zod-openapi';
import {
  createPipeline,
  deletePipeline,
  getPipelineWithGraph,
  listPipelines,
  setDefault,
  updatePipeline,
} from '../../domain/pipelines/pipelines';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  CreatePipelineSchema,
  PipelineParamsSchema,
  PipelineSchema,
  PipelineSummarySchema,
  tags,
  toPipeline,
  toPipelineSummary,
  UpdatePipelineSchema,
} from './schemas';

export const canRead = { role: 'viewer', scope: 'pipelines:read' } as const;
export const canWrite = { role: 'member', scope: 'pipelines:write' } as const;

const ListQuerySchema = PageQuerySchema.extend({
  project_id: z.string().max(64).optional().openapi({ description: 'Only this project’s pipelines' }),
  default: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ description: 'Only defaults (`true`) or only the others (`false`)' }),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines',
  tags,
  operationId: 'listPipelines',
  summary: 'Pipelines, oldest first (without their steps and edges)',
  access: canRead,
  request: { params: OrgParamsSchema, query: ListQuerySchema },
  responses: { 200: jsonResponse(pageOf(PipelineSummarySchema), 'A page of pipelines') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipelines',
  tags,
  operationId: 'createPipeline',
  summary: 'Create a pipeline, optionally with its steps and edges (version 1)',
  description:
    'The graph is validated as a whole: a cycle is a 409 naming its steps; an edge to an unknown step, an unknown step kind, or an agent or council the organization does not have is a 422.',
  access: canWrite,
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreatePipelineSchema) },
  responses: { 201: jsonResponse(PipelineSchema, 'The pipeline at version 1') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines/{pipelineId}',
  tags,
  operationId: 'getPipeline',
  summary: 'A pipeline with the steps and edges of its current version',
  access: canRead,
  request: { params: PipelineParamsSchema },
  responses: { 200: jsonResponse(PipelineSchema, 'The pipeline') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/pipelines/{pipelineId}',
  tags,
  operationId: 'updatePipeline',
  summary: 'Change a pipeline’s name, description or concurrency policy (no new version)',
  access: canWrite,
  request: { params: PipelineParamsSchema, body: jsonBody(UpdatePipelineSchema) },
  responses: { 200: jsonResponse(PipelineSchema, 'The pipeline') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/pipelines/{pipelineId}',
  tags,
  operationId: 'deletePipeline',
  summary: 'Delete a pipeline with its versions',
  access: canWrite,
  request: { params: PipelineParamsSchema },
  responses: { 204: noContent },
});

const setDefaultRoute = orgRoute({
  method: 'put',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/default',
  tags,
  operationId: 'setDefaultPipeline',
  summary: 'Make it the default pipeline of its project (or, without one, of the organization)',
  description: 'The previous default of the same project or organization stops being one.',
  access: canWrite,
  conflicts: true,
  request: { params: PipelineParamsSchema },
  responses: { 200: jsonResponse(PipelineSchema, 'The pipeline') },
});

const clearDefaultRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/default',
  tags,
  operationId: 'clearDefaultPipeline',
  summary: 'Stop it being the default pipeline',
  access: canWrite,
  request: { params: PipelineParamsSchema },
  responses: { 200: jsonResponse(PipelineSchema, 'The pipeline') },
});

export const pipelinesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { project_id, default: isDefault, ...page } = c.req.valid('query');
    const result = await paged(
      c.env,
      page,
      (p) => listPipelines(c.var.db, c.var.ctx.orgId, p, { projectId: project_id, isDefault }),
      toPipelineSummary,
    );
    return c.json(result, 200);
  })
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const created = await createPipeline(c.var.ctx, {
      name: b.name,
      description: b.description,
      projectId: b.project_id,
      concurrency: b.concurrency,
      isDefault: b.is_default,
      snapshot: { steps: b.steps, edges: b.edges },
    });
    return c.json(toPipeline(created), 201);
  })
  .openapi(getRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    return c.json(toPipeline(await getPipelineWithGraph(c.var.db, c.var.ctx.orgId, pipelineId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    return c.json(toPipeline(await updatePipeline(c.var.ctx, pipelineId, c.req.valid('json'))), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deletePipeline(c.var.ctx, c.req.valid('param').pipelineId);
    return c.body(null, 204);
  })
  .openapi(setDefaultRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    return c.json(toPipeline(await setDefault(c.var.ctx, pipelineId, true)), 200);
  })
  .openapi(clearDefaultRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    return c.json(toPipeline(await setDefault(c.var.ctx, pipelineId, false)), 200);
  });
