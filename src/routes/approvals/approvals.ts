import { z } from '@hono/zod-openapi';
import { APPROVAL_STATUSES } from '../../db/schema';
import { decideAsMember, getApproval, issueLink, listApprovals } from '../../domain/approvals/approvals';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { ApprovalParamsSchema, ApprovalSchema, DecisionSchema, tags, toApproval } from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/approvals',
  tags,
  operationId: 'listApprovals',
  summary: 'Approvals that approval steps asked for, oldest first; filter by status or run',
  access: { role: 'viewer', scope: 'runs:read' },
  request: {
    params: OrgParamsSchema,
    query: PageQuerySchema.extend({
      status: z.enum(APPROVAL_STATUSES).optional(),
      run_id: z.string().max(64).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(ApprovalSchema), 'A page of approvals') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/approvals/{approvalId}',
  tags,
  operationId: 'getApproval',
  summary: 'An approval, its context and decision',
  access: { role: 'viewer', scope: 'runs:read' },
  request: { params: ApprovalParamsSchema },
  responses: { 200: jsonResponse(ApprovalSchema, 'The approval') },
});

const decisionRoute = (decision: 'approve' | 'reject') =>
  orgRoute({
    method: 'post',
    path: `/orgs/{orgId}/approvals/{approvalId}/${decision}`,
    tags,
    operationId: `${decision}Approval`,
    summary:
      decision === 'approve'
        ? 'Approve: the run goes on past the approval step'
        : 'Reject: the approval step fails (and with it the run)',
    description: 'Once decided or expired, an approval cannot be decided again: 409.',
    access: { role: 'member', scope: 'runs:write' },
    conflicts: true,
    request: { params: ApprovalParamsSchema, body: jsonBody(DecisionSchema) },
    responses: { 200: jsonResponse(ApprovalSchema, 'The decided approval') },
  });

const linkRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/approvals/{approvalId}/link',
  tags,
  operationId: 'issueApprovalLink',
  summary: 'A public link to decide a pending approval without signing in; an earlier link stops working',
  description:
    'The token is shown only in this answer (it is stored hashed). Whoever holds it can view the approval and decide it once, until it expires. Not pending: 409.',
  access: { role: 'member', scope: 'runs:write' },
  conflicts: true,
  request: { params: ApprovalParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        token: z.string().openapi({ example: 'apv_3q2…' }),
        url: z.url().openapi({ description: 'The public page: GET to view, POST to decide' }),
        expires_at: z.iso.datetime(),
      }),
      'The new link',
    ),
  },
});

const decide = (decision: 'approve' | 'reject') =>
  createRouter().openapi(decisionRoute(decision), async (c) => {
    const { approvalId } = c.req.valid('param');
    const { comment } = c.req.valid('json');
    const row = await decideAsMember(c.var.ctx, approvalId, { decision, comment: comment ?? null });
    return c.json(toApproval(row), 200);
  });

export const approvalsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { status, run_id, ...query } = c.req.valid('query');
    const page = await paged(
      c.env,
      query,
      (p) => listApprovals(c.var.ctx, p, { status, runId: run_id }),
      toApproval,
    );
    return c.json(page, 200);
  })
  .openapi(getRoute, async (c) =>
    c.json(toApproval(await getApproval(c.var.ctx, c.req.valid('param').approvalId)), 200),
  )
  .openapi(linkRoute, async (c) => {
    const { token, approval } = await issueLink(c.var.ctx, c.req.valid('param').approvalId);
    const url = new URL(`/api/v1/approvals/public/${token}`, c.req.url).toString();
    return c.json({ token, url, expires_at: iso(approval.expiresAt) }, 200);
  })
  .route('/', decide('approve'))
  .route('/', decide('reject'));
