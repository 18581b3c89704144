import { z } from '@hono/zod-openapi';
import { APPROVAL_STATUSES } from '../../db/schema';
import type { Approval } from '../../domain/approvals/approvals';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Approvals'];

export const ApprovalParamsSchema = OrgParamsSchema.extend({ approvalId: pathId('approvalId', 'apr_01hv…') });

export const TokenParamsSchema = z.object({
  token: z
    .string()
    .max(100)
    .openapi({ param: { name: 'token', in: 'path' }, example: 'apv_3q2…' }),
});

/** What an approver sees: enough to decide, nothing of the organization beyond it. */
export const ApprovalContextSchema = z
  .object({
    pipeline: z.object({ id: z.string(), name: z.string() }),
    step: z.object({ key: z.string(), name: z.string() }),
    message: z.string().openapi({ description: 'What the approver is asked (the step’s message)' }),
    input_summary: z.string().openapi({ description: 'The run input, shortened' }),
  })
  .openapi('ApprovalContext');

export const PublicApprovalSchema = z
  .object({
    status: z.enum(APPROVAL_STATUSES),
    context: ApprovalContextSchema,
    expires_at: z.iso.datetime(),
    decided_at: z.iso.datetime().nullable(),
    comment: z.string().nullable(),
  })
  .openapi('PublicApproval');

export const ApprovalSchema = PublicApprovalSchema.extend({
  id: z.string().openapi({ example: 'apr_01hv…' }),
  run_id: z.string(),
  step_key: z.string(),
  attempt: z.number().int(),
  decided_by: z.string().nullable().openapi({
    description:
      '`public` (through the link), a user id or an API key id; null until decided or when expired',
  }),
  has_link: z
    .boolean()
    .openapi({ description: 'Whether a public link was issued (it is never shown again)' }),
  created_at: z.iso.datetime(),
}).openapi('Approval');

export const DecisionSchema = z.object({
  comment: z.string().trim().max(2000).nullable().optional(),
});

export const PublicDecisionSchema = DecisionSchema.extend({
  decision: z.enum(['approve', 'reject']),
});

export const toPublicApproval = (a: Approval): z.infer<typeof PublicApprovalSchema> => ({
  status: a.status,
  context: ApprovalContextSchema.parse(a.context),
  expires_at: iso(a.expiresAt),
  decided_at: isoOrNull(a.decidedAt),
  comment: a.comment,
});

export const toApproval = (a: Approval): z.infer<typeof ApprovalSchema> => ({
  id: a.id,
  run_id: a.runId,
  step_key: a.stepKey,
  attempt: a.attempt,
  ...toPublicApproval(a),
  decided_by: a.decidedBy,
  has_link: a.tokenHash !== null,
  created_at: iso(a.createdAt),
});
