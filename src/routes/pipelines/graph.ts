import {
  addEdge,
  addStep,
  parseStep,
  removeEdge,
  removeStep,
  updateEdge,
  updateStep,
} from '../../domain/pipelines/graph-edits';
import { getPipelineWithGraph } from '../../domain/pipelines/pipelines';
import { EdgeDefSchema } from '../../domain/pipelines/snapshot';
import { commitGraph } from '../../domain/pipelines/versions';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canRead, canWrite } from './pipelines';
import {
  AddStepSchema,
  EdgeListSchema,
  EdgeParamsSchema,
  PipelineParamsSchema,
  PipelineSchema,
  StepListSchema,
  StepParamsSchema,
  tags,
  toPipeline,
  UpdateEdgeSchema,
  UpdateStepSchema,
} from './schemas';

const newVersion = 'The pipeline at its new version';
const graphRules =
  'Each change makes a new immutable version, validated as a whole: a cycle is a 409 naming its steps, an edge to an unknown step or an unknown agent or council a 422. Two changes made from the same version at once: one lands, the other is a 409.';

const listStepsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/steps',
  tags,
  operationId: 'listPipelineSteps',
  summary: 'The steps of the current version',
  access: canRead,
  request: { params: PipelineParamsSchema },
  responses: { 200: jsonResponse(StepListSchema, 'The steps, in the order they were added') },
});

const addStepRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/steps',
  tags,
  operationId: 'addPipelineStep',
  summary: 'Add a step (a new version)',
  description: `A key already used is a 409. ${graphRules}`,
  access: canWrite,
  idempotent: true,
  request: { params: PipelineParamsSchema, body: jsonBody(AddStepSchema) },
  responses: { 201: jsonResponse(PipelineSchema, newVersion) },
});

const updateStepRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/steps/{stepKey}',
  tags,
  operationId: 'updatePipelineStep',
  summary: 'Change a step’s name, kind, config, retry policy or timeout (a new version; the key stays)',
  description: graphRules,
  access: canWrite,
  conflicts: true,
  request: { params: StepParamsSchema, body: jsonBody(UpdateStepSchema) },
  responses: { 200: jsonResponse(PipelineSchema, newVersion) },
});

const removeStepRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/steps/{stepKey}',
  tags,
  operationId: 'removePipelineStep',
  summary: 'Remove a step and its edges (a new version)',
  access: canWrite,
  conflicts: true,
  request: { params: StepParamsSchema },
  responses: { 200: jsonResponse(PipelineSchema, newVersion) },
});

const listEdgesRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/edges',
  tags,
  operationId: 'listPipelineEdges',
  summary: 'The edges of the current version',
  access: canRead,
  request: { params: PipelineParamsSchema },
  responses: { 200: jsonResponse(EdgeListSchema, 'The edges, in the order they were added') },
});

const addEdgeRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/edges',
  tags,
  operationId: 'addPipelineEdge',
  summary: 'Add an edge: `to` runs after `from` (if its condition holds on `from`’s output); a new version',
  description: `An edge already there is a 409. ${graphRules}`,
  access: canWrite,
  idempotent: true,
  request: { params: PipelineParamsSchema, body: jsonBody(EdgeDefSchema) },
  responses: { 201: jsonResponse(PipelineSchema, newVersion) },
});

const updateEdgeRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/edges/{fromKey}/{toKey}',
  tags,
  operationId: 'updatePipelineEdge',
  summary: 'Set or remove an edge’s condition (a new version)',
  access: canWrite,
  conflicts: true,
  request: { params: EdgeParamsSchema, body: jsonBody(UpdateEdgeSchema) },
  responses: { 200: jsonResponse(PipelineSchema, newVersion) },
});

const removeEdgeRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/pipelines/{pipelineId}/edges/{fromKey}/{toKey}',
  tags,
  operationId: 'removePipelineEdge',
  summary: 'Remove an edge (a new version)',
  access: canWrite,
  conflicts: true,
  request: { params: EdgeParamsSchema },
  responses: { 200: jsonResponse(PipelineSchema, newVersion) },
});

export const graphRouter = createRouter()
  .openapi(listStepsRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const { pipeline, version } = await getPipelineWithGraph(c.var.db, c.var.ctx.orgId, pipelineId);
    return c.json({ data: version.snapshot.steps, version: pipeline.currentVersion }, 200);
  })
  .openapi(addStepRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const body = c.req.valid('json');
    // Parsed against its kind once the pipeline is found, so a missing pipeline is a 404 first.
    return c.json(
      toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => addStep(g, parseStep(body)))),
      201,
    );
  })
  .openapi(updateStepRoute, async (c) => {
    const { pipelineId, stepKey } = c.req.valid('param');
    const patch = c.req.valid('json');
    return c.json(
      toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => updateStep(g, stepKey, patch))),
      200,
    );
  })
  .openapi(removeStepRoute, async (c) => {
    const { pipelineId, stepKey } = c.req.valid('param');
    return c.json(toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => removeStep(g, stepKey))), 200);
  })
  .openapi(listEdgesRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const { pipeline, version } = await getPipelineWithGraph(c.var.db, c.var.ctx.orgId, pipelineId);
    return c.json({ data: version.snapshot.edges, version: pipeline.currentVersion }, 200);
  })
  .openapi(addEdgeRoute, async (c) => {
    const { pipelineId } = c.req.valid('param');
    const edge = c.req.valid('json');
    return c.json(toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => addEdge(g, edge))), 201);
  })
  .openapi(updateEdgeRoute, async (c) => {
    const { pipelineId, fromKey, toKey } = c.req.valid('param');
    const { condition } = c.req.valid('json');
    return c.json(
      toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => updateEdge(g, fromKey, toKey, condition))),
      200,
    );
  })
  .openapi(removeEdgeRoute, async (c) => {
    const { pipelineId, fromKey, toKey } = c.req.valid('param');
    return c.json(
      toPipeline(await commitGraph(c.var.ctx, pipelineId, (g) => removeEdge(g, fromKey, toKey))),
      200,
    );
  });
