import { z } from '@hono/zod-openapi';
import { CONCURRENCY_POLICIES, RUN_STATUSES, RUN_TRIGGERS } from '../../db/schema';
import { STEP_STATES } from '../../domain/runs/engine';
import type { StepSnapshot } from '../../domain/runs/protocol';
import type { RunDetail, RunRow } from '../../domain/runs/queries';
import { OrgParamsSchema, pathId } from '../../http/params';
import { jsonValue, readStoredJson } from '../../lib/json-value';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Runs'];

export const RunParamsSchema = OrgParamsSchema.extend({ runId: pathId('runId', 'run_01hv…') });
export const StepParamsSchema = RunParamsSchema.extend({
  stepKey: z
    .string()
    .max(64)
    .openapi({ param: { name: 'stepKey', in: 'path' }, example: 'plan' }),
});

const id = z.string().min(1).max(64);

export const CreateRunSchema = z
  .object({
    pipeline_id: id.nullable().optional().openapi({ description: 'Runs its current version' }),
    version_id: id.nullable().optional().openapi({
      description:
        'Pins this pipeline version; neither given: the project’s (else the organization’s) default pipeline',
    }),
    input: jsonValue({ description: 'The run’s input, `{{input}}` in step templates' }).optional(),
    project_id: id.nullable().optional(),
    ticket_id: id
      .nullable()
      .optional()
      .openapi({ description: 'Its project is the run’s unless one is given' }),
    concurrency: z.enum(CONCURRENCY_POLICIES).nullable().optional().openapi({
      description:
        'When a run of the same pipeline for the same project/ticket is active: `reject` (409), `enqueue`, `interrupt` (cancel it) or `allow`; default: the pipeline’s',
    }),
  })
  .openapi('CreateRun');

export const StepSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    kind: z.string(),
    agent_id: z.string().nullable(),
    state: z.enum(STEP_STATES),
    attempt: z.number().int().openapi({ description: 'The current (or last) attempt, 0 before the first' }),
    max_attempts: z.number().int(),
    queued_at: z.iso.datetime().nullable(),
    started_at: z.iso.datetime().nullable(),
    finished_at: z.iso.datetime().nullable(),
    duration_ms: z.number().int().nullable(),
    output: z.unknown().openapi({ description: 'The step’s output once it succeeded, else null' }),
    error: z.string().nullable().openapi({ description: 'The last attempt’s error' }),
    tokens: z.object({ input: z.number().int(), output: z.number().int() }),
  })
  .openapi('RunStep');

export const RunSchema = z
  .object({
    id: z.string().openapi({ example: 'run_01hv…' }),
    pipeline_id: z.string(),
    version_id: z.string(),
    project_id: z.string().nullable(),
    ticket_id: z.string().nullable(),
    agent_ids: z.array(z.string()),
    status: z.enum(RUN_STATUSES),
    trigger: z.enum(RUN_TRIGGERS),
    concurrency: z.enum(CONCURRENCY_POLICIES),
    input: z.unknown(),
    error: z.string().nullable(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    finished_at: z.iso.datetime().nullable(),
  })
  .openapi('Run');

export const RunDetailSchema = RunSchema.extend({
  steps: z.array(StepSchema),
  latest_seq: z.number().int().openapi({ description: 'The sequence number of the run’s latest event' }),
}).openapi('RunDetail');

export const toStep = (s: StepSnapshot): z.infer<typeof StepSchema> => ({
  key: s.key,
  name: s.name,
  kind: s.kind,
  agent_id: s.agent_id,
  state: s.state,
  attempt: s.attempt,
  max_attempts: s.max_attempts,
  queued_at: isoOrNull(s.queued_at),
  started_at: isoOrNull(s.started_at),
  finished_at: isoOrNull(s.finished_at),
  duration_ms: s.started_at !== null && s.finished_at !== null ? s.finished_at - s.started_at : null,
  output: s.output,
  error: s.error,
  tokens: { input: s.input_tokens, output: s.output_tokens },
});

export const toRun = (row: RunRow, agentIds: string[]): z.infer<typeof RunSchema> => ({
  id: row.id,
  pipeline_id: row.pipelineId,
  version_id: row.versionId,
  project_id: row.projectId,
  ticket_id: row.ticketId,
  agent_ids: agentIds,
  status: row.status,
  trigger: row.trigger,
  concurrency: row.concurrency,
  input: readStoredJson(row.input),
  error: row.error,
  created_by: row.createdBy,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
  started_at: isoOrNull(row.startedAt),
  finished_at: isoOrNull(row.finishedAt),
});

/** The D1 row says what lists show; the run's object is the truth for status and steps. */
export const toRunDetail = (d: RunDetail): z.infer<typeof RunDetailSchema> => ({
  ...toRun(d.row, d.agentIds),
  ...(d.snapshot
    ? {
        status: d.snapshot.status,
        error: d.snapshot.error,
        started_at: isoOrNull(d.snapshot.started_at),
        finished_at: isoOrNull(d.snapshot.finished_at),
      }
    : {}),
  steps: (d.snapshot?.steps ?? []).map(toStep),
  latest_seq: d.snapshot?.latest_seq ?? 0,
});
