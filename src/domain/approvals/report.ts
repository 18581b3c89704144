import { eq } from 'drizzle-orm';
import { approvals } from '../../db/schema';
import type { JsonValue } from '../../lib/json-value';
import type { Ctx } from '../context';
import { resolveWaitingStep } from '../runs/resolve';
import type { Approval } from './approvals';

/** What the step ends with: approval's output, or the reason it failed. */
export function outcomeOf(a: Approval): { ok: true; output: JsonValue } | { ok: false; error: string } {
  if (a.status === 'approved')
    return {
      ok: true,
      output: { approved: true, approval_id: a.id, decided_by: a.decidedBy, comment: a.comment },
    };
  if (a.status === 'rejected')
    return { ok: false, error: `Rejected${a.comment ? `: ${a.comment}` : ''} (approval ${a.id})` };
  return { ok: false, error: `The approval expired without a decision (approval ${a.id})` };
}

/**
 * Tells the run's object how a decided approval ended, for the attempt that asked. Until the
 * object accepts (it may not be reachable, or the step not yet waiting), `reported_at` stays null
 * and the cron job tries again; a report the object refuses for good (run cancelled, step already
 * expired there) changes nothing.
 */
export async function reportOutcome(ctx: Ctx, a: Approval) {
  try {
    const accepted = await resolveWaitingStep(
      ctx.env,
      { runId: a.runId, stepKey: a.stepKey, token: a.attemptToken },
      outcomeOf(a),
    );
    if (accepted)
      await ctx.db.update(approvals).set({ reportedAt: Date.now() }).where(eq(approvals.id, a.id));
  } catch (err) {
    console.error(JSON.stringify({ approval: a.id, run_id: a.runId, report_failed: String(err) }));
  }
}
