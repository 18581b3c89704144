import { createPipeline } from '../../domain/pipelines/pipelines';
import {
  bindTemplate,
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
} from '../../domain/pipelines/templates';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canRead, canWrite } from '../pipelines/pipelines';
import { PipelineSchema, toPipeline } from '../pipelines/schemas';
import {
  CreateTemplateSchema,
  InstantiateSchema,
  TemplateParamsSchema,
  TemplateSchema,
  tags,
  toTemplate,
  UpdateTemplateSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipeline-templates',
  tags,
  operationId: 'listPipelineTemplates',
  summary: 'Pipeline templates: the built-in ones (on the first page), then the organization’s own',
  access: canRead,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(TemplateSchema), 'A page of templates') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipeline-templates',
  tags,
  operationId: 'createPipelineTemplate',
  summary: 'Create a template of the organization’s own',
  description: 'A cycle is a 409 naming its steps; an edge to an unknown step or an unknown kind a 422.',
  access: canWrite,
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateTemplateSchema) },
  responses: { 201: jsonResponse(TemplateSchema, 'The template') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipeline-templates/{templateId}',
  tags,
  operationId: 'getPipelineTemplate',
  summary: 'A pipeline template',
  access: canRead,
  request: { params: TemplateParamsSchema },
  responses: { 200: jsonResponse(TemplateSchema, 'The template') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/pipeline-templates/{templateId}',
  tags,
  operationId: 'updatePipelineTemplate',
  summary: 'Change a template of the organization’s own (built-in ones: 409)',
  access: canWrite,
  conflicts: true,
  request: { params: TemplateParamsSchema, body: jsonBody(UpdateTemplateSchema) },
  responses: { 200: jsonResponse(TemplateSchema, 'The template') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/pipeline-templates/{templateId}',
  tags,
  operationId: 'deletePipelineTemplate',
  summary: 'Delete a template of the organization’s own (built-in ones: 409)',
  access: canWrite,
  conflicts: true,
  request: { params: TemplateParamsSchema },
  responses: { 204: noContent },
});

const instantiateRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipeline-templates/{templateId}/pipelines',
  tags,
  operationId: 'createPipelineFromTemplate',
  summary: 'Make a pipeline from the template, binding its agent and council steps',
  description:
    'Every unbound step must be bound (by `bindings`, `agent_id` or `council_id`), to agents and councils of the organization: otherwise a 422 naming the step.',
  access: canWrite,
  idempotent: true,
  request: { params: TemplateParamsSchema, body: jsonBody(InstantiateSchema) },
  responses: { 201: jsonResponse(PipelineSchema, 'The pipeline at version 1') },
});

export const pipelineTemplatesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { orgId } = c.var.ctx;
    const page = await paged(
      c.env,
      c.req.valid('query'),
      (p) => listTemplates(c.var.db, orgId, p),
      toTemplate,
    );
    return c.json(page, 200);
  })
  .openapi(createRoute, async (c) => {
    const { steps, edges, ...b } = c.req.valid('json');
    return c.json(toTemplate(await createTemplate(c.var.ctx, { ...b, snapshot: { steps, edges } })), 201);
  })
  .openapi(getRoute, async (c) => {
    const { templateId } = c.req.valid('param');
    return c.json(toTemplate(await getTemplate(c.var.db, c.var.ctx.orgId, templateId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { templateId } = c.req.valid('param');
    return c.json(toTemplate(await updateTemplate(c.var.ctx, templateId, c.req.valid('json'))), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteTemplate(c.var.ctx, c.req.valid('param').templateId);
    return c.body(null, 204);
  })
  .openapi(instantiateRoute, async (c) => {
    const { templateId } = c.req.valid('param');
    const b = c.req.valid('json');
    const template = await getTemplate(c.var.db, c.var.ctx.orgId, templateId);
    const snapshot = bindTemplate(template.snapshot, {
      agentId: b.agent_id,
      councilId: b.council_id,
      steps: b.bindings,
    });
    const created = await createPipeline(c.var.ctx, {
      name: b.name ?? template.name,
      description: b.description === undefined ? template.description : b.description,
      projectId: b.project_id,
      concurrency: b.concurrency ?? template.concurrency,
      isDefault: b.is_default,
      snapshot,
    });
    return c.json(toPipeline(created), 201);
  });
