import { createRoute, z } from '@hono/zod-openapi';
import { acceptInvite, createInvite, listInvites, revokeInvite } from '../../domain/orgs/invites';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf, requireUser } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { InviteCreatedSchema, InviteInputSchema, InviteSchema, RoleSchema, toInvite } from './schemas';

const tags = ['Invites'];

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/invites',
  tags,
  operationId: 'listInvites',
  summary: 'Open (not accepted, revoked or expired) invites',
  access: { role: 'admin', scope: 'org:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(InviteSchema), 'A page of invites') },
});

const createInviteRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/invites',
  tags,
  operationId: 'createInvite',
  summary: 'Invite someone by email; the token is mailed and returned once',
  description: 'One open invite per email: a second while the first is open is 409.',
  access: { role: 'admin', scope: 'members:write' },
  idempotent: true,
  conflicts: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(InviteInputSchema),
  },
  responses: {
    201: jsonResponse(InviteCreatedSchema, 'The invite'),
  },
});

const revokeRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/invites/{inviteId}',
  tags,
  operationId: 'revokeInvite',
  summary: 'Withdraw an open invite',
  access: { role: 'admin', scope: 'members:write' },
  request: {
    params: OrgParamsSchema.extend({
      inviteId: pathId('inviteId', 'inv_01hv…'),
    }),
  },
  responses: { 204: noContent },
});

const acceptRoute = createRoute({
  method: 'post',
  path: '/invites/accept',
  tags,
  operationId: 'acceptInvite',
  summary: 'Accept an invite sent to your email; you join with its role',
  request: { body: jsonBody(z.object({ token: z.string().min(1).max(200) })) },
  responses: {
    200: jsonResponse(z.object({ organization_id: z.string(), role: RoleSchema }), 'Joined'),
    ...errorResponses(401, 403, 404, 410),
  },
});

export const invitesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const rows = await listInvites(ctxOf(c), c.var.org.id, limit, await decodeCursor(c.env, cursor));
    return c.json(await toPage(c.env, rows, limit, (r) => r.id, toInvite), 200);
  })
  .openapi(createInviteRoute, async (c) => {
    const { invite, token } = await createInvite(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json({ invite: toInvite(invite), token }, 201);
  })
  .openapi(revokeRoute, async (c) => {
    await revokeInvite(ctxOf(c), c.var.org.id, c.req.valid('param').inviteId);
    return c.body(null, 204);
  })
  .openapi(acceptRoute, async (c) => {
    const joined = await acceptInvite(ctxOf(c), requireUser(c).userId, c.req.valid('json').token);
    return c.json({ organization_id: joined.orgId, role: joined.role }, 200);
  });
