import { pipelines } from '../../db/schema';
import { getInOrg } from '../../domain/lookup';
import { commitGraph, getVersion, listVersions } from '../../domain/pipelines/versions';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canRead, canWrite } from './pipelines';
import {
  GraphSchema,
  PipelineParamsSchema,
  PipelineSchema,
  tags,
  toPipeline,
  toVersion,
  VersionParamsSchema,
  VersionSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/versions',
  tags,
  operationId: 'listPipelineVersions',
  summary: 'Every version of the pipeline, oldest first; versions never change',
  access: canRead,
  request: { params: PipelineParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(VersionSchema), 'A page of versions') },
});

const replaceRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/versions',
  tags,
  operationId: 'createPipelineVersion',
  summary: 'Replace the whole graph: its steps and edges become the next version',
  description:
    'Validated as a whole: a cycle is a 409 naming its steps; an edge to an unknown step, an unknown kind, agent or council a 422.',
  access: canWrite,
  idempotent: true,
  request: { params: PipelineParamsSchema, body: jsonBody(GraphSchema) },
  responses: { 201: jsonResponse(PipelineSchema, 'The pipeline at its new version') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/versions/{versionId}',
  tags,
  operationId: 'getPipelineVersion',
  summary: 'One version of the pipeline, by id or number',
  access: canRead,
  request: { params: VersionParamsSchema },
  responses: { 200: jsonResponse(VersionSchema, 'The version') },
});

export const versionsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const { orgId } = c.var.ctx;
    // A missing pipeline is a 404, not an empty list.
    const [, page] = await Promise.all([
      getInOrg(c.var.db, pipelines, 'Pipeline', orgId, pipelineId),
      paged(c.env, c.req.valid('query'), (p) => listVersions(c.var.db, orgId, pipelineId, p), toVersion),
    ]);
    return c.json(page, 200);
  })
  .openapi(replaceRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const graph = c.req.valid('json');
    return c.json(toPipeline(await commitGraph(c.var.ctx, pipelineId, () => graph)), 201);
  })
  .openapi(getRoute, async (c) => {
    const { pipelineId, versionId } = c.req.valid('param');
    return c.json(toVersion(await getVersion(c.var.db, c.var.ctx.orgId, pipelineId, versionId)), 200);
  });
