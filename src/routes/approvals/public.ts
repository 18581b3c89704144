import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { approvalByToken, decideByToken } from '../../domain/approvals/approvals';
import type { AppEnv } from '../../env';
import { errorResponses, jsonBody, jsonResponse } from '../../http/openapi';
import { clientIp, deferOf } from '../../http/request';
import { createRouter } from '../../http/router';
import { RATE_LIMIT_NOTE, rateLimited } from '../../middleware/rate-limits';
import {
  PublicApprovalSchema,
  PublicDecisionSchema,
  TokenParamsSchema,
  tags,
  toPublicApproval,
} from './schemas';

const path = '/approvals/public/{token}';
const limits = `Rate limited to 30 requests a minute per IP. ${RATE_LIMIT_NOTE}`;

const viewRoute = createRoute({
  method: 'get',
  path,
  tags,
  operationId: 'viewPublicApproval',
  summary: 'The approval behind a public link: the pipeline, the step’s message and the run input',
  description: `No login: the token is the credential. Unknown: 404; already decided or expired: 410. ${limits}`,
  security: [],
  middleware: [rateLimited('approval-ip')],
  request: { params: TokenParamsSchema },
  responses: { 200: jsonResponse(PublicApprovalSchema, 'The approval'), ...errorResponses(404, 410) },
});

const decideRoute = createRoute({
  method: 'post',
  path,
  tags,
  operationId: 'decidePublicApproval',
  summary: 'Approve or reject through a public link, with an optional comment (once)',
  description: `Approving resumes the run; rejecting fails the step. The link works once: afterwards 410. ${limits}`,
  security: [],
  middleware: [rateLimited('approval-ip')],
  request: { params: TokenParamsSchema, body: jsonBody(PublicDecisionSchema) },
  responses: { 200: jsonResponse(PublicApprovalSchema, 'The decided approval'), ...errorResponses(404, 410) },
});

/** Whoever holds the link acts; the activity log records it as the link, with the address. */
const linkCtx = (c: Context<AppEnv>) => ({
  env: c.env,
  db: c.var.db,
  actor: { type: 'system' as const, id: 'approval-link' },
  ip: clientIp(c),
  defer: deferOf(c),
});

export const publicApprovalsRouter = createRouter()
  .openapi(viewRoute, async (c) => {
    await c.var.rateLimits.take({ 'approval-ip': clientIp(c) ?? 'unknown' });
    return c.json(toPublicApproval(await approvalByToken(c.var.db, c.req.valid('param').token)), 200);
  })
  .openapi(decideRoute, async (c) => {
    await c.var.rateLimits.take({ 'approval-ip': clientIp(c) ?? 'unknown' });
    const { decision, comment } = c.req.valid('json');
    const row = await decideByToken(linkCtx(c), c.req.valid('param').token, {
      decision,
      comment: comment ?? null,
    });
    return c.json(toPublicApproval(row), 200);
  });
