import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { MISSED_POLICIES } from '../../domain/assignments/schedule';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';
import { pipelines } from './pipelines';
import { projects } from './work';

export const ASSIGNMENT_TRIGGERS = ['cron', 'manual'] as const;

/** A pipeline a project runs on a cron schedule (and by hand). */
export const pipelineAssignments = sqliteTable(
  'pipeline_assignments',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    pipelineId: text('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull(),
    /** JSON text of the run input, with `{{…}}` placeholders filled in when a run starts. */
    inputTemplate: text('input_template').notNull(),
    enabled: bool('enabled'),
    missedPolicy: text('missed_policy', { enum: MISSED_POLICIES }).notNull(),
    missedCap: integer('missed_cap').notNull(),
    /** Every slot up to here was handled (started or passed over): the scheduler's cursor. */
    checkedThrough: ms('checked_through').notNull(),
    /** The first slot after `checked_through`; NULL when the expression never fires again. */
    nextFireAt: ms('next_fire_at'),
    lastRunId: text('last_run_id'),
    lastRunAt: ms('last_run_at'),
    lastTrigger: text('last_trigger', { enum: ASSIGNMENT_TRIGGERS }),
    /** The slot the last cron run was for; NULL after a manual trigger. */
    lastScheduledAt: ms('last_scheduled_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('pipeline_assignments_project_idx').on(t.orgId, t.projectId, t.id),
    // Deleting a pipeline finds its assignments.
    index('pipeline_assignments_pipeline_idx').on(t.pipelineId),
    // Each firing reads only the enabled assignments that are due.
    index('pipeline_assignments_due_idx').on(t.enabled, t.nextFireAt),
  ],
);

export const SLOT_STATES = ['claimed', 'started', 'failed'] as const;

/**
 * One row per (assignment, scheduled time) that a firing claimed. It is inserted before the run
 * starts and only the firing whose insert landed starts it, so double or overlapping firings and
 * concurrent isolates start each slot once.
 */
export const assignmentSlots = sqliteTable(
  'pipeline_assignment_slots',
  {
    assignmentId: text('assignment_id')
      .notNull()
      .references(() => pipelineAssignments.id, { onDelete: 'cascade' }),
    scheduledAt: ms('scheduled_at').notNull(),
    orgId: orgId(),
    state: text('state', { enum: SLOT_STATES }).notNull(),
    runId: text('run_id'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.assignmentId, t.scheduledAt] }),
    // Housekeeping drops old slot rows.
    index('pipeline_assignment_slots_created_idx').on(t.createdAt),
    // Firings find slots whose run was never recorded.
    index('pipeline_assignment_slots_state_idx').on(t.state, t.createdAt),
  ],
);
