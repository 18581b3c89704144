import { createRoute, z } from '@hono/zod-openapi';
import { confirmTotp, disableTotp, enrolTotp } from '../../domain/auth/totp';
import { getUser } from '../../domain/auth/users';
import { errorResponses, jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { ctxOf, requireUser } from '../../http/request';
import { createRouter } from '../../http/router';
import { RATE_LIMIT_NOTE, rateLimited } from '../../middleware/rate-limits';
import { TotpCodeSchema } from './schemas';

const tags = ['Two-factor'];

const enrolRoute = createRoute({
  method: 'post',
  path: '/auth/totp/enrol',
  tags,
  operationId: 'enrolTotp',
  summary: 'Begin TOTP enrolment: a secret, its otpauth URI and one-time backup codes',
  description:
    'Nothing changes at login until the first code is confirmed. The backup codes are shown only here.',
  responses: {
    200: jsonResponse(
      z
        .object({ secret: z.string(), otpauth_uri: z.string(), backup_codes: z.array(z.string()) })
        .openapi('TotpEnrolment'),
      'Scan the URI into an authenticator app, then confirm a code',
    ),
    ...errorResponses(401, 403, 409),
  },
});

const confirmRoute = createRoute({
  method: 'post',
  path: '/auth/totp/confirm',
  tags,
  operationId: 'confirmTotp',
  summary: 'Confirm enrolment with a first code; login then requires a code',
  description: `Rate limited, with disabling, to 5 attempts a minute per user. ${RATE_LIMIT_NOTE}`,
  middleware: [rateLimited('totp-user')],
  request: { body: jsonBody(z.object({ code: TotpCodeSchema })) },
  responses: { 204: noContent, ...errorResponses(401, 403, 409) },
});

const disableRoute = createRoute({
  method: 'post',
  path: '/auth/totp/disable',
  tags,
  operationId: 'disableTotp',
  summary: 'Turn two-factor authentication off with a current code',
  description: `Rate limited, with confirmation, to 5 attempts a minute per user. ${RATE_LIMIT_NOTE}`,
  middleware: [rateLimited('totp-user')],
  request: { body: jsonBody(z.object({ code: TotpCodeSchema })) },
  responses: { 204: noContent, ...errorResponses(401, 403, 409) },
});

export const totpRouter = createRouter()
  .openapi(enrolRoute, async (c) => {
    const ctx = ctxOf(c);
    return c.json(await enrolTotp(ctx, await getUser(ctx.db, requireUser(c).userId)), 200);
  })
  .openapi(confirmRoute, async (c) => {
    const ctx = ctxOf(c);
    const user = await getUser(ctx.db, requireUser(c).userId);
    await confirmTotp(ctx, user, c.req.valid('json').code, c.var.rateLimits);
    return c.body(null, 204);
  })
  .openapi(disableRoute, async (c) => {
    const ctx = ctxOf(c);
    const user = await getUser(ctx.db, requireUser(c).userId);
    await disableTotp(ctx, user, c.req.valid('json').code, c.var.rateLimits);
    return c.body(null, 204);
  });
