import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { approvals } from '../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { JsonObject } from '../../lib/json-value';
import { activityInsertIf } from '../activity/record';
import type { Ctx, OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { reportOutcome } from './report';

export type Approval = typeof approvals.$inferSelect;
export type Decision = 'approve' | 'reject';

export const TOKEN_PREFIX = 'apv_';

export interface ApprovalRequest {
  orgId: string;
  runId: string;
  stepKey: string;
  attempt: number;
  attemptToken: string;
  expiresAt: number;
  /** What the page shows: pipeline, step, the step's message and a summary of the run input. */
  context: JsonObject;
}

const forStep = (r: Pick<ApprovalRequest, 'runId' | 'stepKey' | 'attempt'>) =>
  and(eq(approvals.runId, r.runId), eq(approvals.stepKey, r.stepKey), eq(approvals.attempt, r.attempt));

/**
 * The approval a step attempt waits for, made on its first execution; a redelivered step message
 * finds the same one (the unique step index) and asks nothing twice.
 */
export async function requestApproval(ctx: Ctx, r: ApprovalRequest): Promise<Approval> {
  const id = newId('apr');
  const [, , [row]] = await ctx.db.batch([
    ctx.db
      .insert(approvals)
      .values({ id, ...r, tokenHash: null, status: 'pending', createdAt: Date.now() })
      .onConflictDoNothing(),
    activityInsertIf(
      ctx,
      {
        orgId: r.orgId,
        action: 'approval.requested',
        entityType: 'approval',
        entityId: id,
        metadata: { run_id: r.runId, step_key: r.stepKey },
      },
      sql`EXISTS (SELECT 1 FROM ${approvals} WHERE id = ${id})`,
    ),
    ctx.db.select().from(approvals).where(forStep(r)).limit(1),
  ]);
  if (!row) throw new Error('approval missing after creation');
  return row;
}

export async function listApprovals(
  ctx: OrgCtx,
  page: PageRequest,
  filter: { status?: Approval['status']; runId?: string },
) {
  return pageInOrg(
    ctx.db,
    approvals,
    ctx.orgId,
    page,
    and(
      filter.status ? eq(approvals.status, filter.status) : undefined,
      filter.runId ? eq(approvals.runId, filter.runId) : undefined,
    ),
  );
}

export const getApproval = (ctx: OrgCtx, id: string) =>
  getInOrg(ctx.db, approvals, 'Approval', ctx.orgId, id);

/**
 * A new public link for a pending approval; the previous one stops working. Only the hash is
 * kept, so the token in the answer is the only copy.
 */
export async function issueLink(ctx: OrgCtx, id: string) {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const [row] = await ctx.db
    .update(approvals)
    .set({ tokenHash: await sha256Hex(token) })
    .where(and(eq(approvals.orgId, ctx.orgId), eq(approvals.id, id), pending(Date.now())))
    .returning();
  if (!row) throw await whyNotOpen(() => getApproval(ctx, id), conflict);
  return { token, approval: row };
}

const pending = (now: number) => and(eq(approvals.status, 'pending'), gt(approvals.expiresAt, now));

/** What to answer for an approval that is not (or no longer) open: `closed` makes the problem. */
async function whyNotOpen(load: () => Promise<Approval>, closed: (detail: string) => ApiError) {
  const a = await load();
  return closed(
    a.status === 'pending' ? 'This approval has expired' : `This approval was already ${a.status}`,
  );
}

async function byToken(db: Db, token: string) {
  if (!token.startsWith(TOKEN_PREFIX)) throw notFound('Approval');
  const [row] = await db
    .select()
    .from(approvals)
    .where(eq(approvals.tokenHash, await sha256Hex(token)))
    .limit(1);
  if (!row) throw notFound('Approval');
  return row;
}

const gone = (detail: string) => new ApiError('gone', detail);

/** The approval behind a public token while it can still be decided; used or expired: 410. */
export async function approvalByToken(db: Db, token: string) {
  const row = await byToken(db, token);
  if (row.status !== 'pending' || row.expiresAt <= Date.now()) throw await whyNotOpen(async () => row, gone);
  return row;
}

export interface DecisionInput {
  decision: Decision;
  comment: string | null;
}

/**
 * Decides an approval once: a conditional UPDATE moves it out of `pending`, so of two decisions at
 * the same time (or a decision racing expiry) exactly one lands, with its activity entry in the
 * same batch. The run is told afterwards (and again by the cron job until it has accepted).
 */
async function decide(ctx: Ctx, orgId: string, id: string, who: string, input: DecisionInput) {
  const now = Date.now();
  const status = input.decision === 'approve' ? 'approved' : 'rejected';
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(approvals)
      .set({ status, decidedAt: now, decidedBy: who, comment: input.comment })
      .where(and(eq(approvals.orgId, orgId), eq(approvals.id, id), pending(now)))
      .returning(),
    activityInsertIf(
      ctx,
      {
        orgId,
        action: status === 'approved' ? 'approval.approved' : 'approval.rejected',
        entityType: 'approval',
        entityId: id,
        metadata: { by: who, comment: input.comment },
      },
      // True only if this batch's UPDATE landed: no other decision has this time and decider.
      sql`EXISTS (SELECT 1 FROM ${approvals} WHERE id = ${id} AND status = ${status}
        AND decided_at = ${now} AND decided_by = ${who})`,
    ),
  ]);
  if (row) await reportOutcome(ctx, row);
  return row ?? null;
}

/** A decision through the public page; the token is all the caller has. */
export async function decideByToken(ctx: Ctx, token: string, input: DecisionInput) {
  const row = await byToken(ctx.db, token);
  const decided = await decide(ctx, row.orgId, row.id, 'public', input);
  if (!decided) throw await whyNotOpen(() => byToken(ctx.db, token), gone);
  return decided;
}

/** A decision by a member of the organization. */
export async function decideAsMember(ctx: OrgCtx, id: string, input: DecisionInput) {
  const decided = await decide(ctx, ctx.orgId, id, ctx.actor.id, input);
  if (!decided) throw await whyNotOpen(() => getApproval(ctx, id), conflict);
  return decided;
}
