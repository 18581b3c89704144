import { and, eq, inArray } from 'drizzle-orm';
import { runs } from '../../db/schema';
import { iso } from '../../lib/time';
import type { RunCtx } from '../runs/start';
import { startRun } from '../runs/start';
import type { Assignment } from './assignments';
import { renderInput } from './input';

export interface Firing {
  trigger: 'cron' | 'manual';
  /** The slot (cron) or the moment of the trigger (manual). */
  scheduledAt: number;
}

/**
 * A cron slot's run carries a key of its own, so starting a slot again (after a firing died
 * between claiming the slot and recording its run) returns the run already started, if any.
 */
export const slotKey = (assignmentId: string, scheduledAt: number) => `${assignmentId}@${iso(scheduledAt)}`;

/** Starts a run of the assignment's pipeline for its project, the input template filled in. */
export async function startAssignmentRun(ctx: RunCtx, a: Assignment, firing: Firing) {
  const input = renderInput(JSON.parse(a.inputTemplate), {
    scheduled_at: iso(firing.scheduledAt),
    trigger: firing.trigger,
    assignment_id: a.id,
    project_id: a.projectId,
    pipeline_id: a.pipelineId,
  });
  const { run } = await startRun(ctx, {
    pipelineId: a.pipelineId,
    projectId: a.projectId,
    input,
    trigger: firing.trigger,
    idempotencyKey: firing.trigger === 'cron' ? slotKey(a.id, firing.scheduledAt) : null,
  });
  return { id: run.row.id, status: run.row.status };
}

/** The current status of each named run of the organization, in one read. */
export async function runStatuses(ctx: RunCtx, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await ctx.db
    .select({ id: runs.id, status: runs.status })
    .from(runs)
    .where(and(eq(runs.orgId, ctx.orgId), inArray(runs.id, ids)));
  return new Map(rows.map((r) => [r.id, r.status]));
}
