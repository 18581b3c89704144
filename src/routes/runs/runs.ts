import { z } from '@hono/zod-openapi';
import { RUN_STATUSES } from '../../db/schema';
import { getAgentRow } from '../../domain/agents/shared';
import { getRun, listRuns } from '../../domain/runs/queries';
import { startRun } from '../../domain/runs/start';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { commaList, OrgParamsSchema, pathId } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import type { JsonValue } from '../../lib/json-value';
import {
  CreateRunSchema,
  RunDetailSchema,
  RunParamsSchema,
  RunSchema,
  tags,
  toRun,
  toRunDetail,
} from './schemas';

export const canReadRuns = { role: 'viewer', scope: 'runs:read' } as const;
export const canWriteRuns = { role: 'member', scope: 'runs:write' } as const;

const ListQuerySchema = PageQuerySchema.extend({
  pipeline_id: z.string().max(64).optional(),
  status: commaList(
    z.enum(RUN_STATUSES),
    RUN_STATUSES.length,
    'Only runs in these statuses, comma-separated',
  ).optional(),
  project_id: z.string().max(64).optional(),
  agent_id: z.string().max(64).optional().openapi({ description: 'Only runs with a step run by this agent' }),
  created_after: z.iso.datetime().optional(),
  created_before: z.iso.datetime().optional(),
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/runs',
  tags,
  operationId: 'createRun',
  summary: 'Start a run of a pipeline (its current version, a pinned version, or the default pipeline)',
  description:
    'With `Idempotency-Key`, a retried request returns the first run instead of starting another. ' +
    'When a run of the same pipeline for the same project/ticket is active, the concurrency policy applies.',
  access: canWriteRuns,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateRunSchema) },
  responses: { 201: jsonResponse(RunDetailSchema, 'The run') },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs',
  tags,
  operationId: 'listRuns',
  summary: 'Runs, newest first, filtered by pipeline, status, project, agent and creation time',
  access: canReadRuns,
  request: { params: OrgParamsSchema, query: ListQuerySchema },
  responses: { 200: jsonResponse(pageOf(RunSchema), 'A page of runs') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/runs/{runId}',
  tags,
  operationId: 'getRun',
  summary: 'A run with each step’s state, attempts, timings, tokens and output',
  access: canReadRuns,
  request: { params: RunParamsSchema },
  responses: { 200: jsonResponse(RunDetailSchema, 'The run') },
});

const agentRunsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agents/{agentId}/runs',
  tags,
  operationId: 'listAgentRuns',
  summary: 'An agent’s run history: runs with a step run by the agent, newest first',
  access: canReadRuns,
  request: {
    params: OrgParamsSchema.extend({ agentId: pathId('agentId', 'agt_01hv…') }),
    query: ListQuerySchema.omit({ agent_id: true }),
  },
  responses: { 200: jsonResponse(pageOf(RunSchema), 'A page of runs') },
});

type ListQuery = z.infer<typeof ListQuerySchema>;
const filterOf = (q: ListQuery) => ({
  pipelineId: q.pipeline_id,
  status: q.status,
  projectId: q.project_id,
  agentId: q.agent_id,
  createdAfter: q.created_after ? Date.parse(q.created_after) : undefined,
  createdBefore: q.created_before ? Date.parse(q.created_before) : undefined,
});

export const runsRouter = createRouter()
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const { run } = await startRun(c.var.ctx, {
      pipelineId: b.pipeline_id,
      versionId: b.version_id,
      // Checked by `jsonValue`: parsed from JSON, so JSON all the way down.
      input: b.input as JsonValue | undefined,
      projectId: b.project_id,
      ticketId: b.ticket_id,
      concurrency: b.concurrency,
      trigger: 'api',
    });
    return c.json(toRunDetail(run), 201);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listRuns(c.var.ctx, filterOf(q), {
      limit: q.limit,
      after: await decodeCursor(c.env, q.cursor),
    });
    return c.json(
      await toPage(
        c.env,
        rows,
        q.limit,
        (r) => r.row.id,
        (r) => toRun(r.row, r.agentIds),
      ),
      200,
    );
  })
  .openapi(getRoute, async (c) =>
    c.json(toRunDetail(await getRun(c.var.ctx, c.req.valid('param').runId)), 200),
  )
  .openapi(agentRunsRoute, async (c) => {
    const { agentId } = c.req.valid('param');
    await getAgentRow(c.var.db, c.var.ctx.orgId, agentId);
    const q = c.req.valid('query');
    const rows = await listRuns(
      c.var.ctx,
      { ...filterOf(q), agentId },
      {
        limit: q.limit,
        after: await decodeCursor(c.env, q.cursor),
      },
    );
    return c.json(
      await toPage(
        c.env,
        rows,
        q.limit,
        (r) => r.row.id,
        (r) => toRun(r.row, r.agentIds),
      ),
      200,
    );
  });
