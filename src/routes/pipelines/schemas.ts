import { z } from '@hono/zod-openapi';
import { CONCURRENCY_POLICIES } from '../../db/schema';
import type { PipelineWithGraph } from '../../domain/pipelines/pipelines';
import type { Pipeline, PipelineVersion } from '../../domain/pipelines/resolve';
import {
  EdgeConditionSchema,
  EdgeDefSchema,
  MAX_EDGES,
  MAX_STEPS,
  RetrySchema,
  STEP_KINDS,
  StepDefSchema,
  StepKeySchema,
} from '../../domain/pipelines/snapshot';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso } from '../../lib/time';

export const tags = ['Pipelines'];

export const PipelineParamsSchema = OrgParamsSchema.extend({ pipelineId: pathId('pipelineId', 'ppl_01hv…') });
export const StepParamsSchema = PipelineParamsSchema.extend({ stepKey: pathId('stepKey', 'plan') });
export const EdgeParamsSchema = PipelineParamsSchema.extend({
  fromKey: pathId('fromKey', 'plan'),
  toKey: pathId('toKey', 'implement'),
});
export const VersionParamsSchema = PipelineParamsSchema.extend({
  versionId: pathId('versionId', 'plv_01hv…').openapi({ description: 'A version id, or its number (`3`)' }),
});

export const ConcurrencySchema = z.enum(CONCURRENCY_POLICIES).openapi({
  description:
    'When a run of this pipeline for the same project/ticket is active: `reject` the new one (409), `enqueue` it, `interrupt` (cancel) the older one, or `allow` both',
});

export const PipelineSummarySchema = z
  .object({
    id: z.string().openapi({ example: 'ppl_01hv…' }),
    project_id: z
      .string()
      .nullable()
      .openapi({ description: 'Its project; null for an organization-wide pipeline' }),
    name: z.string(),
    description: z.string().nullable(),
    concurrency: ConcurrencySchema,
    is_default: z.boolean().openapi({ description: 'The default of its project (or of the organization)' }),
    version: z.number().int().openapi({ description: 'The current version’s number' }),
    version_id: z
      .string()
      .openapi({ description: 'The current version; runs pin the version they start with' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('PipelineSummary');

export const PipelineSchema = PipelineSummarySchema.extend({
  steps: z.array(StepDefSchema).openapi({ description: 'The current version’s steps' }),
  edges: z.array(EdgeDefSchema).openapi({ description: 'The current version’s edges' }),
}).openapi('Pipeline');

export const toPipelineSummary = (p: Pipeline): z.infer<typeof PipelineSummarySchema> => ({
  id: p.id,
  project_id: p.projectId,
  name: p.name,
  description: p.description,
  concurrency: p.concurrency,
  is_default: p.isDefault,
  version: p.currentVersion,
  version_id: p.currentVersionId,
  created_by: p.createdBy,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

export const toPipeline = ({ pipeline, version }: PipelineWithGraph): z.infer<typeof PipelineSchema> => ({
  ...toPipelineSummary(pipeline),
  steps: version.snapshot.steps,
  edges: version.snapshot.edges,
});

export const VersionSchema = z
  .object({
    id: z.string().openapi({ example: 'plv_01hv…' }),
    pipeline_id: z.string(),
    version: z.number().int().openapi({ description: '1 for the first; each change adds one' }),
    steps: z.array(StepDefSchema),
    edges: z.array(EdgeDefSchema),
    created_by: z.string(),
    created_at: z.iso.datetime(),
  })
  .openapi('PipelineVersion');

export const toVersion = (v: PipelineVersion): z.infer<typeof VersionSchema> => ({
  id: v.id,
  pipeline_id: v.pipelineId,
  version: v.version,
  steps: v.snapshot.steps,
  edges: v.snapshot.edges,
  created_by: v.createdBy,
  created_at: iso(v.createdAt),
});

export const GraphSchema = z.object({
  steps: z.array(StepDefSchema).max(MAX_STEPS).default([]),
  edges: z.array(EdgeDefSchema).max(MAX_EDGES).default([]),
});

export const CreatePipelineSchema = GraphSchema.extend({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  project_id: z
    .string()
    .max(64)
    .nullable()
    .optional()
    .openapi({ description: 'Omit for an organization-wide pipeline' }),
  concurrency: ConcurrencySchema.optional(),
  is_default: z
    .boolean()
    .optional()
    .openapi({ description: 'Make it the default of its project or organization' }),
});

export const UpdatePipelineSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  concurrency: ConcurrencySchema.optional(),
});

const StepConfigSchema = z.record(z.string(), z.unknown()).openapi({
  description:
    'Per kind, as in the `PipelineStep` schema (e.g. an agent step: `agent_id`, `prompt`, `model`)',
});

/** Config is checked against its kind by the domain, which names the fields at fault. */
export const AddStepSchema = z.object({
  key: StepKeySchema,
  name: z.string().trim().min(1).max(200),
  kind: z.enum(STEP_KINDS),
  config: StepConfigSchema,
  retry: RetrySchema.optional(),
  timeout_ms: z.number().int().optional(),
});

export const UpdateStepSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(STEP_KINDS).optional(),
  config: StepConfigSchema.optional().openapi({
    description: 'Replaces the config; required when `kind` changes',
  }),
  retry: z
    .object({
      max_attempts: z.number().int().optional(),
      backoff_ms: z.number().int().optional(),
      max_backoff_ms: z.number().int().optional(),
    })
    .strict()
    .optional()
    .openapi({ description: 'Fields given replace those of the current retry policy' }),
  timeout_ms: z.number().int().optional(),
});

export const UpdateEdgeSchema = z.object({
  condition: EdgeConditionSchema.nullable().openapi({ description: 'The new condition; null removes it' }),
});

export const StepListSchema = z.object({
  data: z.array(StepDefSchema),
  version: z.number().int().openapi({ description: 'The version these are from' }),
});

export const EdgeListSchema = z.object({
  data: z.array(EdgeDefSchema),
  version: z.number().int().openapi({ description: 'The version these are from' }),
});
