import { z } from '@hono/zod-openapi';
import { EdgeDefSchema, MAX_EDGES, MAX_STEPS, TemplateStepDefSchema } from '../../domain/pipelines/snapshot';
import { type Template, unboundSteps } from '../../domain/pipelines/templates';
import { OrgParamsSchema, pathId } from '../../http/params';
import { isoOrNull } from '../../lib/time';
import { ConcurrencySchema } from '../pipelines/schemas';

export const tags = ['Pipeline templates'];

export const TemplateParamsSchema = OrgParamsSchema.extend({ templateId: pathId('templateId', 'plt_01hv…') });

export const TemplateSchema = z
  .object({
    id: z.string().openapi({ example: 'plt_plan-implement-review' }),
    builtin: z
      .boolean()
      .openapi({ description: 'Built into Foreman (read-only), or the organization’s own' }),
    name: z.string(),
    description: z.string().nullable(),
    concurrency: ConcurrencySchema,
    steps: z.array(TemplateStepDefSchema).openapi({
      description:
        'Agent and council steps may have a null `agent_id`/`council_id`: bound when a pipeline is made',
    }),
    edges: z.array(EdgeDefSchema),
    unbound: z
      .array(z.string())
      .openapi({ description: 'Keys of the steps a pipeline made from it must bind' }),
    created_by: z.string().nullable().openapi({ description: 'Null for built-in templates' }),
    created_at: z.iso.datetime().nullable(),
    updated_at: z.iso.datetime().nullable(),
  })
  .openapi('PipelineTemplate');

export const toTemplate = (t: Template): z.infer<typeof TemplateSchema> => ({
  id: t.id,
  builtin: t.builtin,
  name: t.name,
  description: t.description,
  concurrency: t.concurrency,
  steps: t.snapshot.steps,
  edges: t.snapshot.edges,
  unbound: unboundSteps(t.snapshot),
  created_by: t.builtin ? null : t.createdBy,
  created_at: t.builtin ? null : isoOrNull(t.createdAt),
  updated_at: t.builtin ? null : isoOrNull(t.updatedAt),
});

export const CreateTemplateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  concurrency: ConcurrencySchema.optional(),
  steps: z.array(TemplateStepDefSchema).max(MAX_STEPS).default([]),
  edges: z.array(EdgeDefSchema).max(MAX_EDGES).default([]),
});

export const UpdateTemplateSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  concurrency: ConcurrencySchema.optional(),
  steps: z.array(TemplateStepDefSchema).max(MAX_STEPS).optional(),
  edges: z.array(EdgeDefSchema).max(MAX_EDGES).optional(),
});

export const InstantiateSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Defaults to the template’s name' }),
  description: z.string().max(2000).nullable().optional(),
  project_id: z.string().max(64).nullable().optional(),
  concurrency: ConcurrencySchema.optional().openapi({ description: 'Defaults to the template’s policy' }),
  is_default: z.boolean().optional(),
  agent_id: z.string().max(64).optional().openapi({ description: 'The agent for every unbound agent step' }),
  council_id: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'The council for every unbound council step' }),
  bindings: z
    .record(z.string().max(64), z.string().max(64))
    .optional()
    .openapi({ description: 'Per step key, the agent (or council) id for that step; wins over the others' }),
});
