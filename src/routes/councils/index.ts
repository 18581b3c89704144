import {
  createCouncil,
  deleteCouncil,
  getCouncil,
  listCouncils,
  updateCouncil,
} from '../../domain/pipelines/councils';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canRead, canWrite } from '../pipelines/pipelines';
import {
  CouncilParamsSchema,
  CouncilSchema,
  CreateCouncilSchema,
  tags,
  toCouncil,
  toCouncilInput,
  UpdateCouncilSchema,
} from './schemas';

const unknownAgents = 'A leader or member that is not an agent of the organization is a 422 naming it.';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/councils',
  tags,
  operationId: 'listCouncils',
  summary: 'Councils, oldest first',
  access: canRead,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(CouncilSchema), 'A page of councils') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/councils',
  tags,
  operationId: 'createCouncil',
  summary: 'Create a council: member agents answer in parallel, the leader agent synthesises',
  description: unknownAgents,
  access: canWrite,
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateCouncilSchema) },
  responses: { 201: jsonResponse(CouncilSchema, 'The council') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/councils/{councilId}',
  tags,
  operationId: 'getCouncil',
  summary: 'A council with its leader and members',
  access: canRead,
  request: { params: CouncilParamsSchema },
  responses: { 200: jsonResponse(CouncilSchema, 'The council') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/councils/{councilId}',
  tags,
  operationId: 'updateCouncil',
  summary: 'Change a council’s name, description, leader or members',
  description: unknownAgents,
  access: canWrite,
  conflicts: true,
  request: { params: CouncilParamsSchema, body: jsonBody(UpdateCouncilSchema) },
  responses: { 200: jsonResponse(CouncilSchema, 'The council') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/councils/{councilId}',
  tags,
  operationId: 'deleteCouncil',
  summary: 'Delete a council (pipeline versions naming it keep the id; their council steps then fail)',
  access: canWrite,
  request: { params: CouncilParamsSchema },
  responses: { 204: noContent },
});

export const councilsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { orgId } = c.var.ctx;
    const page = await paged(c.env, c.req.valid('query'), (p) => listCouncils(c.var.db, orgId, p), toCouncil);
    return c.json(page, 200);
  })
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const council = await createCouncil(c.var.ctx, {
      name: b.name,
      description: b.description,
      leaderAgentId: b.leader_agent_id,
      memberAgentIds: b.member_agent_ids,
    });
    return c.json(toCouncil(council), 201);
  })
  .openapi(getRoute, async (c) => {
    const { councilId } = c.req.valid('param');
    return c.json(toCouncil(await getCouncil(c.var.db, c.var.ctx.orgId, councilId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { councilId } = c.req.valid('param');
    const council = await updateCouncil(c.var.ctx, councilId, toCouncilInput(c.req.valid('json')));
    return c.json(toCouncil(council), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteCouncil(c.var.ctx, c.req.valid('param').councilId);
    return c.body(null, 204);
  });
