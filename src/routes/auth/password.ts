import { createRoute, z } from '@hono/zod-openapi';
import { requestPasswordReset, resetPassword } from '../../domain/auth/password-reset';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { clientIp, deferOf } from '../../http/request';
import { createRouter } from '../../http/router';
import { RATE_LIMIT_NOTE, rateLimited } from '../../middleware/rate-limits';
import { EmailSchema, PasswordSchema } from './schemas';

const tags = ['Auth'];

const forgotRoute = createRoute({
  method: 'post',
  path: '/auth/password/forgot',
  tags,
  operationId: 'forgotPassword',
  summary: 'Mail a single-use password reset token',
  description: `Answers 202 whether or not the account exists. Rate limited to 5 requests a minute per IP and per account. ${RATE_LIMIT_NOTE}`,
  security: [],
  middleware: [rateLimited('forgot-password-ip', 'forgot-password-account')],
  request: { body: jsonBody(z.object({ email: EmailSchema })) },
  responses: {
    202: jsonResponse(
      z.object({ message: z.string() }),
      'Accepted; a message is on its way if the account exists',
    ),
    ...errorResponses(),
  },
});

const resetRoute = createRoute({
  method: 'post',
  path: '/auth/password/reset',
  tags,
  operationId: 'resetPassword',
  summary: 'Choose a new password with a reset token; every session ends',
  security: [],
  request: { body: jsonBody(z.object({ token: z.string().min(1).max(200), password: PasswordSchema })) },
  responses: { 204: noContent, ...errorResponses() },
});

export const passwordRouter = createRouter()
  .openapi(forgotRoute, async (c) => {
    await requestPasswordReset(c.env, c.var.db, c.req.valid('json').email, clientIp(c), c.var.rateLimits);
    return c.json({ message: 'If an account exists for this email, a reset token has been sent.' }, 202);
  })
  .openapi(resetRoute, async (c) => {
    const { token, password } = c.req.valid('json');
    await resetPassword(c.env, c.var.db, token, password, clientIp(c), deferOf(c));
    return c.body(null, 204);
  });
