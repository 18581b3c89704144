import { createRoute, z } from '@hono/zod-openapi';
import { rotateRefreshToken } from '../../domain/auth/sessions';
import { login, register } from '../../domain/auth/users';
import { errorResponses, jsonBody, jsonResponse } from '../../http/openapi';
import { clientIp, deferOf } from '../../http/request';
import { createRouter } from '../../http/router';
import { unauthenticated } from '../../lib/errors';
import { RATE_LIMIT_NOTE, rateLimited } from '../../middleware/rate-limits';
import { EmailSchema, PasswordSchema, TokenPairSchema, toUser, UserSchema } from './schemas';

const tags = ['Auth'];

const registerRoute = createRoute({
  method: 'post',
  path: '/auth/register',
  tags,
  operationId: 'register',
  summary: 'Create an account (and its personal organization)',
  description: `Rate limited to 5 registrations a minute per IP. ${RATE_LIMIT_NOTE}`,
  security: [],
  middleware: [rateLimited('register-ip')],
  request: {
    body: jsonBody(
      z.object({
        email: EmailSchema,
        password: PasswordSchema.openapi({
          description: '10–128 characters, letters mixed with digits or symbols',
        }),
        name: z.string().trim().min(1).max(100),
      }),
    ),
  },
  responses: { 201: jsonResponse(UserSchema, 'The new user'), ...errorResponses(409) },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags,
  operationId: 'login',
  summary: 'Sign in with email and password (and a TOTP or backup code when enabled)',
  description:
    'Failed attempts are limited to 5 a minute per IP and per account; successful sign-ins do not ' +
    `count. With two-factor enabled and no code, answers 401 with type \`totp-required\`. ${RATE_LIMIT_NOTE}`,
  security: [],
  middleware: [rateLimited('login-ip', 'login-account')],
  request: {
    body: jsonBody(
      z.object({
        email: EmailSchema,
        password: PasswordSchema,
        totp_code: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        backup_code: z.string().min(6).max(20).optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(TokenPairSchema, 'Tokens for the new session'), ...errorResponses(401) },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags,
  operationId: 'refreshTokens',
  summary: 'Exchange a refresh token for a new token pair (rotation)',
  description:
    'Each refresh token works once. Presenting one that was already used revokes its whole session.',
  security: [],
  request: { body: jsonBody(z.object({ refresh_token: z.string().min(1).max(200) })) },
  responses: { 200: jsonResponse(TokenPairSchema, 'A new token pair'), ...errorResponses(401) },
});

export const credentialsRouter = createRouter()
  .openapi(registerRoute, async (c) => {
    const user = await register(c.env, c.var.db, c.req.valid('json'), clientIp(c), c.var.rateLimits);
    return c.json(toUser(user), 201);
  })
  .openapi(loginRoute, async (c) => {
    const tokens = await login(
      c.env,
      c.var.db,
      c.req.valid('json'),
      { ip: clientIp(c), userAgent: c.req.header('User-Agent') ?? null },
      c.var.rateLimits,
    );
    return c.json(tokens, 200);
  })
  .openapi(refreshRoute, async (c) => {
    const outcome = await rotateRefreshToken(
      c.env,
      c.var.db,
      c.req.valid('json').refresh_token,
      clientIp(c),
      deferOf(c),
    );
    if (outcome.ok) return c.json(outcome.tokens, 200);
    if (outcome.reuse)
      throw unauthenticated('This refresh token was already used; the session has been revoked');
    throw unauthenticated('The refresh token is invalid or expired');
  });
