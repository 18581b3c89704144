import { and, eq, sql } from 'drizzle-orm';
import { pipelineAssignments } from '../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { JsonValue } from '../../lib/json-value';
import { activityInsert, activityInsertIf } from '../activity/record';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { getProject } from '../work/projects';
import { templateProblem } from './input';
import { assertPipelineFor } from './pipelines';
import { cronProblem, type MissedPolicy, nextFireTimes, timezoneProblem } from './schedule';

export type Assignment = typeof pipelineAssignments.$inferSelect;

export interface AssignmentInput {
  pipelineId: string;
  cron: string;
  timezone: string;
  inputTemplate: JsonValue;
  enabled: boolean;
  missedPolicy: MissedPolicy;
  missedCap: number;
}

const byId = (orgId: string, projectId: string, id: string) =>
  and(
    eq(pipelineAssignments.orgId, orgId),
    eq(pipelineAssignments.projectId, projectId),
    eq(pipelineAssignments.id, id),
  );

/** For activity entries written only when the assignment is there. */
const exists = (orgId: string, projectId: string, id: string) =>
  sql`EXISTS (SELECT 1 FROM ${pipelineAssignments} WHERE ${byId(orgId, projectId, id)})`;

/** The assignment, or 404 when it is missing, in another project or another organization. */
export async function getAssignment(ctx: OrgCtx, projectId: string, id: string): Promise<Assignment> {
  const [row] = await ctx.db
    .select()
    .from(pipelineAssignments)
    .where(byId(ctx.orgId, projectId, id))
    .limit(1);
  if (!row) throw notFound('Pipeline assignment');
  return row;
}

export async function listAssignments(ctx: OrgCtx, projectId: string, page: PageRequest) {
  await getProject(ctx.db, ctx.orgId, projectId);
  return pageInOrg(
    ctx.db,
    pipelineAssignments,
    ctx.orgId,
    page,
    eq(pipelineAssignments.projectId, projectId),
  );
}

/**
 * Checked once the project (and assignment) are known to exist, so that another organization's
 * id is a 404 whatever the body says; every field's problem is named at once.
 */
function assertValid(input: Partial<AssignmentInput>) {
  const errors = [
    ['cron', input.cron === undefined ? null : cronProblem(input.cron)],
    ['timezone', input.timezone === undefined ? null : timezoneProblem(input.timezone)],
    ['input_template', input.inputTemplate === undefined ? null : templateProblem(input.inputTemplate)],
  ].flatMap(([path, message]) => (path && message ? [{ path, message }] : []));
  if (errors.length > 0)
    throw new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

/** The scheduler's cursor starting over at `now`: slots before it are neither run nor "missed". */
const cursorFrom = (s: { cron: string; timezone: string }, now: number) => ({
  checkedThrough: now,
  nextFireAt: nextFireTimes(s, now, 1)[0] ?? null,
});

export async function createAssignment(ctx: OrgCtx, projectId: string, input: AssignmentInput) {
  await getProject(ctx.db, ctx.orgId, projectId);
  assertValid(input);
  await assertPipelineFor(ctx, projectId, input.pipelineId);
  const now = Date.now();
  const row: Assignment = {
    id: newId('pas'),
    orgId: ctx.orgId,
    projectId,
    pipelineId: input.pipelineId,
    cron: input.cron.trim(),
    timezone: input.timezone,
    inputTemplate: JSON.stringify(input.inputTemplate),
    enabled: input.enabled,
    missedPolicy: input.missedPolicy,
    missedCap: input.missedCap,
    ...cursorFrom(input, now),
    lastRunId: null,
    lastRunAt: null,
    lastTrigger: null,
    lastScheduledAt: null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.db.batch([
    ctx.db.insert(pipelineAssignments).values(row),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'pipeline_assignment.created',
      entityType: 'pipeline_assignment',
      entityId: row.id,
      metadata: {
        project_id: projectId,
        pipeline_id: row.pipelineId,
        cron: row.cron,
        timezone: row.timezone,
      },
    }),
  ]);
  return row;
}

/**
 * A new expression or time zone, or enabling a disabled assignment, restarts the cursor at now:
 * slots of the old schedule, or that passed while it was off on purpose, are not "missed".
 */
export async function updateAssignment(
  ctx: OrgCtx,
  projectId: string,
  id: string,
  patch: Partial<AssignmentInput>,
) {
  const current = await getAssignment(ctx, projectId, id);
  assertValid(patch);
  if (patch.pipelineId !== undefined) await assertPipelineFor(ctx, projectId, patch.pipelineId);
  const now = Date.now();
  const schedule = { cron: patch.cron?.trim() ?? current.cron, timezone: patch.timezone ?? current.timezone };
  const restart =
    schedule.cron !== current.cron ||
    schedule.timezone !== current.timezone ||
    (patch.enabled === true && !current.enabled);
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(pipelineAssignments)
      .set({
        ...(patch.pipelineId !== undefined ? { pipelineId: patch.pipelineId } : {}),
        ...schedule,
        ...(patch.inputTemplate !== undefined ? { inputTemplate: JSON.stringify(patch.inputTemplate) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.missedPolicy !== undefined ? { missedPolicy: patch.missedPolicy } : {}),
        ...(patch.missedCap !== undefined ? { missedCap: patch.missedCap } : {}),
        ...(restart ? cursorFrom(schedule, now) : {}),
        updatedAt: now,
      })
      .where(byId(ctx.orgId, projectId, id))
      .returning(),
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'pipeline_assignment.updated',
        entityType: 'pipeline_assignment',
        entityId: id,
        metadata: { project_id: projectId, fields: Object.keys(patch) },
      },
      exists(ctx.orgId, projectId, id),
    ),
  ]);
  if (!row) throw notFound('Pipeline assignment');
  return row;
}

export async function deleteAssignment(ctx: OrgCtx, projectId: string, id: string) {
  const [, deleted] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'pipeline_assignment.deleted',
        entityType: 'pipeline_assignment',
        entityId: id,
        metadata: { project_id: projectId },
      },
      exists(ctx.orgId, projectId, id),
    ),
    // Foreign keys take its slot rows with it.
    ctx.db
      .delete(pipelineAssignments)
      .where(byId(ctx.orgId, projectId, id))
      .returning({ id: pipelineAssignments.id }),
  ]);
  if (deleted.length === 0) throw notFound('Pipeline assignment');
}
