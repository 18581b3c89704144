import { createRoute, z } from '@hono/zod-openapi';
import { activityInsert } from '../../domain/activity/record';
import { revokeSessionsQuery } from '../../domain/auth/sessions';
import { changePassword, getUser, getUserWithMemberships } from '../../domain/auth/users';
import { CLOSE_CREDENTIAL_ENDED } from '../../domain/streams/owners';
import { endStreams } from '../../domain/streams/revocation';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { ctxOf, requireUser } from '../../http/request';
import { createRouter } from '../../http/router';
import { RATE_LIMIT_NOTE, rateLimited } from '../../middleware/rate-limits';
import { PasswordSchema, toUser, UserSchema } from './schemas';

const tags = ['Auth'];

const MeSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('user'),
      user: UserSchema,
      session_id: z.string(),
      organizations: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          slug: z.string(),
          personal: z.boolean(),
          role: z.string(),
        }),
      ),
    }),
    z.object({
      type: z.literal('api_key'),
      api_key: z.object({ id: z.string(), organization_id: z.string(), scopes: z.array(z.string()) }),
    }),
  ])
  .openapi('Me');

const meRoute = createRoute({
  method: 'get',
  path: '/auth/me',
  tags,
  operationId: 'getMe',
  summary: 'Who is calling: the user and their organizations, or the API key and its scopes',
  responses: { 200: jsonResponse(MeSchema, 'The caller'), ...errorResponses(401) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags,
  operationId: 'logout',
  summary: 'End this session, or every session of the user (`all: true`)',
  request: {
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ all: z.boolean().default(false) }) } },
    },
  },
  responses: { 204: noContent, ...errorResponses(401, 403) },
});

const changePasswordRoute = createRoute({
  method: 'post',
  path: '/auth/password/change',
  tags,
  operationId: 'changePassword',
  summary: 'Change the password; every other session ends',
  description:
    'Every other session and every outstanding reset token ends. Rate limited to 5 attempts a minute ' +
    `per user. ${RATE_LIMIT_NOTE}`,
  middleware: [rateLimited('password-change-user')],
  request: { body: jsonBody(z.object({ current_password: PasswordSchema, new_password: PasswordSchema })) },
  responses: { 204: noContent, ...errorResponses(401, 403) },
});

export const sessionRouter = createRouter()
  .openapi(meRoute, async (c) => {
    const p = c.var.principal;
    if (p.type === 'api_key') {
      return c.json(
        { type: 'api_key' as const, api_key: { id: p.keyId, organization_id: p.orgId, scopes: p.scopes } },
        200,
      );
    }
    const { user, orgs } = await getUserWithMemberships(c.var.db, p.userId);
    return c.json(
      {
        type: 'user' as const,
        user: toUser(user),
        session_id: p.sessionId,
        organizations: orgs.map(({ org, role }) => ({
          id: org.id,
          name: org.name,
          slug: org.slug,
          personal: org.personal,
          role,
        })),
      },
      200,
    );
  })
  .openapi(logoutRoute, async (c) => {
    const p = requireUser(c);
    const all = c.req.header('Content-Type')?.includes('json') ? (c.req.valid('json')?.all ?? false) : false;
    const ctx = ctxOf(c);
    const user = await getUser(ctx.db, p.userId);
    await ctx.db.batch([
      revokeSessionsQuery(ctx.db, all ? { userId: p.userId } : { sessionId: p.sessionId }, 'logout'),
      activityInsert(ctx, {
        orgId: user.personalOrgId,
        action: 'user.logged_out',
        entityType: 'session',
        entityId: p.sessionId,
        metadata: { all_devices: all },
      }),
    ]);
    await endStreams(
      ctx,
      { userId: p.userId },
      {
        target: all ? { kind: 'user', userId: p.userId } : { kind: 'session', sessionId: p.sessionId },
        code: CLOSE_CREDENTIAL_ENDED,
        reason: 'session ended: logged out',
      },
    );
    return c.body(null, 204);
  })
  .openapi(changePasswordRoute, async (c) => {
    const p = requireUser(c);
    await changePassword(ctxOf(c), p.userId, p.sessionId, c.req.valid('json'), c.var.rateLimits);
    return c.body(null, 204);
  });
