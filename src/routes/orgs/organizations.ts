import { createRoute, z } from '@hono/zod-openapi';
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listUserOrganizations,
  updateOrganization,
} from '../../domain/orgs/organizations';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { ctxOf, requireUser } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { IdempotencyHeaderSchema, idempotent } from '../../middleware/idempotency';
import { OrganizationSchema, SlugSchema, toOrganization } from './schemas';

const tags = ['Organizations'];

const OrgDetailSchema = OrganizationSchema.extend({ member_count: z.number().int() }).openapi(
  'OrganizationDetail',
);

const createOrgRoute = createRoute({
  method: 'post',
  path: '/orgs',
  tags,
  operationId: 'createOrganization',
  summary: 'Create an organization; the caller becomes its owner',
  middleware: [idempotent],
  request: {
    headers: IdempotencyHeaderSchema,
    body: jsonBody(z.object({ name: z.string().trim().min(1).max(100), slug: SlugSchema.optional() })),
  },
  responses: { 201: jsonResponse(OrganizationSchema, 'The organization'), ...errorResponses(401, 403, 409) },
});

const listOrgsRoute = createRoute({
  method: 'get',
  path: '/orgs',
  tags,
  operationId: 'listOrganizations',
  summary: 'The organizations the caller can act in (an API key: its own)',
  request: { query: PageQuerySchema },
  responses: {
    200: jsonResponse(pageOf(OrganizationSchema), 'A page of organizations'),
    ...errorResponses(401),
  },
});

const getOrgRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}',
  tags,
  operationId: 'getOrganization',
  summary: 'An organization with its member count',
  access: { role: 'viewer', scope: 'org:read' },
  request: { params: OrgParamsSchema },
  responses: { 200: jsonResponse(OrgDetailSchema, 'The organization') },
});

const updateOrgRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}',
  tags,
  operationId: 'updateOrganization',
  summary: 'Rename an organization or change its slug',
  access: { role: 'admin', scope: 'org:write' },
  conflicts: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z
        .object({ name: z.string().trim().min(1).max(100).optional(), slug: SlugSchema.optional() })
        .refine((b) => b.name !== undefined || b.slug !== undefined, 'Give a name or a slug to change'),
    ),
  },
  responses: {
    200: jsonResponse(OrganizationSchema, 'The organization'),
  },
});

const deleteOrgRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}',
  tags,
  operationId: 'deleteOrganization',
  summary: 'Delete an organization (owners only, signed in; personal organizations cannot be deleted)',
  access: { role: 'owner' },
  conflicts: true,
  request: { params: OrgParamsSchema },
  responses: { 204: noContent },
});

export const organizationsRouter = createRouter()
  .openapi(createOrgRoute, async (c) => {
    const org = await createOrganization(ctxOf(c), requireUser(c).userId, c.req.valid('json'));
    return c.json(toOrganization(org, 'owner'), 201);
  })
  .openapi(listOrgsRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const ctx = ctxOf(c);
    const p = c.var.principal;
    if (p.type === 'api_key') {
      const { org } = await getOrganization(ctx, p.orgId);
      return c.json({ data: [toOrganization(org, null)], next_cursor: null }, 200);
    }
    const rows = await listUserOrganizations(ctx, p.userId, limit, await decodeCursor(c.env, cursor));
    return c.json(
      await toPage(
        c.env,
        rows,
        limit,
        (r) => r.org.id,
        (r) => toOrganization(r.org, r.role),
      ),
      200,
    );
  })
  .openapi(getOrgRoute, async (c) => {
    const { org, memberCount } = await getOrganization(ctxOf(c), c.var.org.id);
    return c.json({ ...toOrganization(org, c.var.org.role), member_count: memberCount }, 200);
  })
  .openapi(updateOrgRoute, async (c) => {
    const org = await updateOrganization(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toOrganization(org, c.var.org.role), 200);
  })
  .openapi(deleteOrgRoute, async (c) => {
    await deleteOrganization(ctxOf(c), c.var.org.id);
    return c.body(null, 204);
  });
