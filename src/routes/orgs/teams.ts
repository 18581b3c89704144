import { z } from '@hono/zod-openapi';
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  getTeam,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  updateTeam,
} from '../../domain/orgs/teams';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { TeamSchema, toTeam } from './schemas';

const tags = ['Teams'];
const TeamParams = OrgParamsSchema.extend({
  teamId: pathId('teamId', 'team_01hv…'),
});
const TeamMemberParams = TeamParams.extend({
  userId: pathId('userId', 'usr_01hv…'),
});
const TeamBody = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullable().optional(),
});
const TeamMemberSchema = z
  .object({ user_id: z.string(), email: z.string(), name: z.string(), added_at: z.iso.datetime() })
  .openapi('TeamMember');

const read: Access = { role: 'viewer', scope: 'org:read' };
const write: Access = { role: 'admin', scope: 'members:write' };

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/teams',
  tags,
  operationId: 'listTeams',
  summary: 'Teams in the organization',
  access: read,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(TeamSchema), 'A page of teams') },
});

const createTeamRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/teams',
  tags,
  operationId: 'createTeam',
  summary: 'Create a team (names are unique in the organization)',
  access: write,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(TeamBody) },
  responses: { 201: jsonResponse(TeamSchema, 'The team') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/teams/{teamId}',
  tags,
  operationId: 'getTeam',
  summary: 'A team',
  access: read,
  request: { params: TeamParams },
  responses: { 200: jsonResponse(TeamSchema, 'The team') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/teams/{teamId}',
  tags,
  operationId: 'updateTeam',
  summary: 'Rename or describe a team',
  access: write,
  conflicts: true,
  request: { params: TeamParams, body: jsonBody(TeamBody.partial()) },
  responses: { 200: jsonResponse(TeamSchema, 'The team') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/teams/{teamId}',
  tags,
  operationId: 'deleteTeam',
  summary: 'Delete a team (its members stay in the organization)',
  access: write,
  request: { params: TeamParams },
  responses: { 204: noContent },
});

const listMembersRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/teams/{teamId}/members',
  tags,
  operationId: 'listTeamMembers',
  summary: "A team's members",
  access: read,
  request: { params: TeamParams, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(TeamMemberSchema), 'A page of team members') },
});

const addMemberRoute = orgRoute({
  method: 'put',
  path: '/orgs/{orgId}/teams/{teamId}/members/{userId}',
  tags,
  operationId: 'addTeamMember',
  summary: 'Put an organization member in the team (idempotent)',
  access: write,
  request: { params: TeamMemberParams },
  responses: { 204: noContent },
});

const removeMemberRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/teams/{teamId}/members/{userId}',
  tags,
  operationId: 'removeTeamMember',
  summary: 'Take a member out of the team',
  access: write,
  request: { params: TeamMemberParams },
  responses: { 204: noContent },
});

export const teamsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const rows = await listTeams(ctxOf(c), c.var.org.id, limit, await decodeCursor(c.env, cursor));
    return c.json(await toPage(c.env, rows, limit, (r) => r.id, toTeam), 200);
  })
  .openapi(createTeamRoute, async (c) =>
    c.json(toTeam(await createTeam(ctxOf(c), c.var.org.id, c.req.valid('json'))), 201),
  )
  .openapi(getRoute, async (c) =>
    c.json(toTeam(await getTeam(ctxOf(c), c.var.org.id, c.req.valid('param').teamId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const team = await updateTeam(ctxOf(c), c.var.org.id, c.req.valid('param').teamId, c.req.valid('json'));
    return c.json(toTeam(team), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteTeam(ctxOf(c), c.var.org.id, c.req.valid('param').teamId);
    return c.body(null, 204);
  })
  .openapi(listMembersRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const rows = await listTeamMembers(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').teamId,
      limit,
      await decodeCursor(c.env, cursor),
    );
    return c.json(
      await toPage(
        c.env,
        rows,
        limit,
        (r) => r.userId,
        (r) => ({ user_id: r.userId, email: r.email, name: r.name, added_at: iso(r.addedAt) }),
      ),
      200,
    );
  })
  .openapi(addMemberRoute, async (c) => {
    const { teamId, userId } = c.req.valid('param');
    await addTeamMember(ctxOf(c), c.var.org.id, teamId, userId);
    return c.body(null, 204);
  })
  .openapi(removeMemberRoute, async (c) => {
    const { teamId, userId } = c.req.valid('param');
    await removeTeamMember(ctxOf(c), c.var.org.id, teamId, userId);
    return c.body(null, 204);
  });
