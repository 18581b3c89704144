import { z } from '@hono/zod-openapi';
import { createInvite } from '../../domain/orgs/invites';
import { changeMemberRole, listMembers, removeMember } from '../../domain/orgs/members';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  InviteCreatedSchema,
  InviteInputSchema,
  MemberSchema,
  RoleSchema,
  toInvite,
  toMember,
} from './schemas';

const tags = ['Members'];
const MemberParams = OrgParamsSchema.extend({
  userId: pathId('userId', 'usr_01hv…'),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/members',
  tags,
  operationId: 'listMembers',
  summary: 'Members of the organization with their roles',
  access: { role: 'viewer', scope: 'org:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(MemberSchema), 'A page of members') },
});

const addRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/members',
  tags,
  operationId: 'addMember',
  summary: 'Ask someone to join, by email: they become a member when they accept',
  description:
    'Nobody is added without their consent: this creates and mails an invite, exactly as ' +
    '`POST /orgs/{orgId}/invites` does, and the person joins by accepting it (`POST /invites/accept`). ' +
    'The answer is the same whether or not the email has an account, so it reveals nothing about who ' +
    'is registered. An email that is already a member, or has an open invite, is 409.',
  access: { role: 'admin', scope: 'members:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(InviteInputSchema) },
  responses: { 202: jsonResponse(InviteCreatedSchema, 'Invited; membership awaits their acceptance') },
});

const changeRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/members/{userId}',
  tags,
  operationId: 'changeMemberRole',
  summary: "Change a member's role (the last owner cannot be demoted)",
  access: { role: 'admin', scope: 'members:write' },
  conflicts: true,
  request: { params: MemberParams, body: jsonBody(z.object({ role: RoleSchema })) },
  responses: { 200: jsonResponse(MemberSchema, 'The member') },
});

const removeRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/members/{userId}',
  tags,
  operationId: 'removeMember',
  summary: 'Remove a member (admins), or leave (any member, their own id); the last owner stays',
  access: { role: 'viewer', scope: 'members:write' },
  conflicts: true,
  request: { params: MemberParams },
  responses: { 204: noContent },
});

export const membersRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const rows = await listMembers(ctxOf(c), c.var.org.id, limit, await decodeCursor(c.env, cursor));
    return c.json(await toPage(c.env, rows, limit, (r) => r.userId, toMember), 200);
  })
  .openapi(addRoute, async (c) => {
    const { invite, token } = await createInvite(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json({ invite: toInvite(invite), token }, 202);
  })
  .openapi(changeRoute, async (c) => {
    const { userId } = c.req.valid('param');
    const m = await changeMemberRole(
      ctxOf(c),
      c.var.org.id,
      c.var.org.role,
      userId,
      c.req.valid('json').role,
    );
    return c.json(toMember(m), 200);
  })
  .openapi(removeRoute, async (c) => {
    await removeMember(ctxOf(c), c.var.org.id, c.var.org.role, c.req.valid('param').userId);
    return c.body(null, 204);
  });
