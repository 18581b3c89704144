import type { OrgCtx } from '../context';
import type { Assignment } from './assignments';
import { runStatuses } from './runs';
import { nextFireTimes } from './schedule';

/** An assignment as shown: its upcoming slots and the current status of its last run. */
export interface AssignmentView extends Assignment {
  nextFireTimes: number[];
  lastRunStatus: string | null;
}

/** One read of the last runs' statuses for all `rows`, whatever their number. */
export async function viewsOf(ctx: OrgCtx, rows: Assignment[], next: number): Promise<AssignmentView[]> {
  const now = Date.now();
  const statuses = await runStatuses(
    ctx,
    rows.flatMap((r) => (r.lastRunId ? [r.lastRunId] : [])),
  );
  return rows.map((r) => ({
    ...r,
    nextFireTimes: r.enabled && next > 0 ? nextFireTimes(r, now, next) : [],
    lastRunStatus: r.lastRunId ? (statuses.get(r.lastRunId) ?? null) : null,
  }));
}

export const viewOf = async (ctx: OrgCtx, row: Assignment, next: number) =>
  (await viewsOf(ctx, [row], next))[0] as AssignmentView;
