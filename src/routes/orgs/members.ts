import { z } from '@hono/zod-openapi';
import { addMember, changeMemberRole, getMember, listMembers, removeMember } from '../../domain/orgs/members';
import { forbidden } from '../../lib/errors';
import { jsonBody, jsonResponse, noContent, OrgParamsSchema } from '../../lib/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../lib/pagination';
import { ctxOf } from '../../lib/request';
import { orgRoute } from '../../lib/route';
import { createRouter } from '../../lib/router';
import { MemberSchema, RoleSchema, toMember } from './schemas';

const tags = ['Members'];
const MemberParams = OrgParamsSchema.extend({
  userId: z.string().openapi({ param: { name: 'userId', in: 'path' }, example: 'usr_01hv…' }),
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
  summary: 'Add an existing user by email (admins; only owners grant the owner role)',
  access: { role: 'admin', scope: 'members:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(z.object({ email: z.email(), role: RoleSchema })) },
  responses: { 201: jsonResponse(MemberSchema, 'The new member') },
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
    const rows = await listMembers(ctxOf(c), c.var.org.id, limit, decodeCursor(cursor));
    return c.json(
      toPage(rows, limit, (r) => r.userId, toMember),
      200,
    );
  })
  .openapi(addRoute, async (c) => {
    const m = await addMember(ctxOf(c), c.var.org.id, c.var.org.role, c.req.valid('json'));
    return c.json(toMember(m), 201);
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
    const { userId } = c.req.valid('param');
    const { role } = c.var.org;
    const p = c.var.principal;
    const leaving = p.type === 'user' && p.userId === userId;
    if (!leaving && role !== null && role !== 'admin' && role !== 'owner')
      throw forbidden(`Removing others needs the admin role or higher; you are ${role}`);
    const ctx = ctxOf(c);
    await getMember(ctx, c.var.org.id, userId);
    await removeMember(ctx, c.var.org.id, leaving ? 'owner' : role, userId);
    return c.body(null, 204);
  });
