import { z } from '@hono/zod-openapi';
import { ASSIGNMENT_TRIGGERS } from '../../db/schema';
import { TEMPLATE_VARIABLES } from '../../domain/assignments/input';
import { MISSED_POLICIES } from '../../domain/assignments/schedule';
import type { AssignmentView } from '../../domain/assignments/view';
import { OrgParamsSchema, pathId } from '../../http/params';
import { type JsonValue, jsonValue } from '../../lib/json-value';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Pipeline assignments'];

export const ProjectParamsSchema = OrgParamsSchema.extend({ projectId: pathId('projectId', 'prj_01hv…') });
export const AssignmentParamsSchema = ProjectParamsSchema.extend({
  assignmentId: pathId('assignmentId', 'pas_01hv…'),
});

export const MAX_NEXT_FIRE_TIMES = 20;
export const MAX_MISSED_CAP = 20;
/** Upcoming fire times shown unless `?next=` says otherwise. */
export const DEFAULT_NEXT = 5;

export const NextQuerySchema = z.object({
  next: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_NEXT_FIRE_TIMES)
    .default(DEFAULT_NEXT)
    .openapi({ description: `How many upcoming fire times to show (0–${MAX_NEXT_FIRE_TIMES})` }),
});

const CronSchema = z.string().trim().min(1).max(200).openapi({
  description:
    'Five-field cron expression (minute hour day-of-month month day-of-week) or a nickname such as `@daily`, read in `timezone`',
  example: '0 9 * * 1-5',
});

const TimezoneSchema = z
  .string()
  .min(1)
  .max(100)
  .openapi({ description: 'IANA time zone the expression is read in', example: 'Europe/Berlin' });

const InputTemplateSchema = jsonValue({
  maxBytes: 16 * 1024,
  description: `The run input. Strings may hold placeholders: ${Object.entries(TEMPLATE_VARIABLES)
    .map(([k, v]) => `\`{{${k}}}\` (${v})`)
    .join(', ')}`,
});

const MissedPolicySchema = z.enum(MISSED_POLICIES).openapi({
  description:
    'Slots missed while nothing could fire them (downtime): `skip` them, run the most recent `once`, or run `each` (the most recent `missed_cap`)',
});

export const CreateAssignmentSchema = z.object({
  pipeline_id: z.string().min(1).max(64),
  cron: CronSchema,
  timezone: TimezoneSchema.default('UTC'),
  input_template: InputTemplateSchema.default({}),
  enabled: z.boolean().default(true),
  missed_policy: MissedPolicySchema.default('skip'),
  missed_cap: z.number().int().min(1).max(MAX_MISSED_CAP).default(5).openapi({
    description: 'Under `each`, at most this many missed slots run',
  }),
});

export const UpdateAssignmentSchema = z.object({
  pipeline_id: z.string().min(1).max(64).optional(),
  cron: CronSchema.optional(),
  timezone: TimezoneSchema.optional(),
  input_template: InputTemplateSchema.optional(),
  enabled: z.boolean().optional(),
  missed_policy: MissedPolicySchema.optional(),
  missed_cap: z.number().int().min(1).max(MAX_MISSED_CAP).optional(),
});

export const toAssignmentInput = (b: z.infer<typeof UpdateAssignmentSchema>) => ({
  pipelineId: b.pipeline_id,
  cron: b.cron,
  timezone: b.timezone,
  inputTemplate: b.input_template as JsonValue | undefined,
  enabled: b.enabled,
  missedPolicy: b.missed_policy,
  missedCap: b.missed_cap,
});

const LastRunSchema = z
  .object({
    id: z.string().openapi({ example: 'run_01hv…' }),
    status: z.string().nullable().openapi({ description: 'The run’s status now; null if the run is gone' }),
    trigger: z.enum(ASSIGNMENT_TRIGGERS),
    scheduled_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'The slot a cron run was for; null for a manual trigger' }),
    started_at: z.iso.datetime(),
  })
  .openapi('AssignmentLastRun');

export const AssignmentSchema = z
  .object({
    id: z.string().openapi({ example: 'pas_01hv…' }),
    project_id: z.string(),
    pipeline_id: z.string(),
    cron: z.string(),
    timezone: z.string(),
    input_template: z.unknown().openapi({ description: 'The run input template (any JSON value)' }),
    enabled: z.boolean(),
    missed_policy: z.enum(MISSED_POLICIES),
    missed_cap: z.number().int(),
    next_fire_times: z
      .array(z.iso.datetime())
      .openapi({ description: 'Upcoming slots (ISO 8601 UTC), empty when disabled; `?next=` says how many' }),
    last_run: LastRunSchema.nullable(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('PipelineAssignment');

export const toAssignment = (a: AssignmentView): z.infer<typeof AssignmentSchema> => ({
  id: a.id,
  project_id: a.projectId,
  pipeline_id: a.pipelineId,
  cron: a.cron,
  timezone: a.timezone,
  input_template: JSON.parse(a.inputTemplate),
  enabled: a.enabled,
  missed_policy: a.missedPolicy,
  missed_cap: a.missedCap,
  next_fire_times: a.nextFireTimes.map(iso),
  last_run:
    a.lastRunId && a.lastTrigger && a.lastRunAt !== null
      ? {
          id: a.lastRunId,
          status: a.lastRunStatus,
          trigger: a.lastTrigger,
          scheduled_at: isoOrNull(a.lastScheduledAt),
          started_at: iso(a.lastRunAt),
        }
      : null,
  created_by: a.createdBy,
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});
