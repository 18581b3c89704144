import { and, eq, gte, isNull, lte, ne, sql } from 'drizzle-orm';
import { approvals } from '../../db/schema';
import { HOUR, MINUTE } from '../../lib/time';
import { activityInsertPerRow } from '../activity/record';
import type { Ctx } from '../context';
import { reportOutcome } from './report';

/** Outcomes the run has not accepted this long after the decision are reported again… */
const REPORT_RETRY_AFTER_MS = MINUTE;
/** …for this long: a run that still refuses has moved on for good (cancelled, step expired there). */
const REPORT_RETRY_FOR_MS = HOUR;
const MAX_PER_FIRING = 100;

/**
 * Expires pending approvals past their time (their steps fail), then reports again outcomes whose
 * report to the run was lost (the isolate ended between the decision and the report).
 */
export async function expireApprovals(ctx: Ctx, now: number) {
  const due = and(eq(approvals.status, 'pending'), lte(approvals.expiresAt, now));
  const [, expired] = await ctx.db.batch([
    activityInsertPerRow(
      ctx,
      {
        action: 'approval.expired',
        entityType: 'approval',
        orgId: sql`org_id`,
        entityId: sql`id`,
        metadata: sql`json_object('run_id', run_id, 'step_key', step_key)`,
      },
      sql`${approvals} WHERE ${due}`,
    ),
    ctx.db.update(approvals).set({ status: 'expired', decidedAt: now }).where(due).returning(),
  ]);
  const unreported = await ctx.db
    .select()
    .from(approvals)
    .where(
      and(
        ne(approvals.status, 'pending'),
        isNull(approvals.reportedAt),
        lte(approvals.decidedAt, now - REPORT_RETRY_AFTER_MS),
        gte(approvals.decidedAt, now - REPORT_RETRY_FOR_MS),
      ),
    )
    .limit(MAX_PER_FIRING);
  await Promise.allSettled([...expired, ...unreported].map((a) => reportOutcome(ctx, a)));
}
