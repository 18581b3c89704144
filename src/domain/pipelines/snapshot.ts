import { z } from '@hono/zod-openapi';
import { jsonValue } from '../../lib/json-value';

/**
 * The graph of one pipeline version: what a run executes. Stored as JSON in `pipeline_versions`,
 * served as is by the API (hence snake_case), and read by the run engine through `Snapshot`.
 *
 * Templates (`prompt`, `body`, `payload` strings, `template`) may use `{{input}}`,
 * `{{steps.<key>.output}}`, `{{run.ticket}}`, `{{run.project}}`; http headers may use
 * `{{secret:NAME}}` for a vault item's value.
 *
 * A step's output, which edge conditions and later templates read: agent and council steps, the
 * reply text; approval, `{ approved: boolean, comment: string | null }`; http, `{ status, headers,
 * body }` (body parsed when JSON); external, the job's result; transform, the rendered text; wait, null.
 */

export const STEP_KINDS = ['agent', 'council', 'approval', 'http', 'external', 'transform', 'wait'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const MAX_STEPS = 200;
export const MAX_EDGES = 1000;

/** Keys name steps in templates (`{{steps.plan.output}}`) and paths, so they stay plain. */
export const StepKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'A lowercase letter, then lowercase letters, digits, _ or -; at most 64')
  .openapi({ example: 'plan' });

const template = (max = 20_000) => z.string().max(max);
const id = z.string().min(1).max(64);

export const RetrySchema = z
  .object({
    max_attempts: z.number().int().min(1).max(20).default(3).openapi({
      description: 'Attempts in all, the first included; 1 means no retry',
    }),
    backoff_ms: z.number().int().min(0).max(3_600_000).default(1000).openapi({
      description: 'Delay before the second attempt; it doubles each attempt (with jitter)',
    }),
    max_backoff_ms: z.number().int().min(0).max(86_400_000).default(60_000).openapi({
      description: 'The delay never grows beyond this',
    }),
  })
  .strict()
  .refine((r) => r.max_backoff_ms >= r.backoff_ms, {
    path: ['max_backoff_ms'],
    message: 'Must be at least backoff_ms',
  })
  .openapi('PipelineStepRetry');

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Per-kind configuration. `agentRef`/`councilRef` are optional only in templates, where a step may
 * be left for the caller to bind when making a pipeline from it.
 */
function kindConfigs<A extends z.ZodType, C extends z.ZodType>(agentRef: A, councilRef: C) {
  return {
    agent: z
      .object({
        agent_id: agentRef,
        prompt: template().openapi({ description: 'The user message, a template' }),
        model: z.string().max(100).nullable().optional().openapi({
          description: 'A model id; otherwise the agent’s model, its role’s, routing, or the org default',
        }),
      })
      .strict(),
    council: z
      .object({
        council_id: councilRef,
        prompt: template().openapi({ description: 'The question put to the council, a template' }),
      })
      .strict(),
    approval: z
      .object({
        message: template(5000).openapi({ description: 'What the approver is asked, a template' }),
        expires_in_seconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 86_400)
          .default(86_400)
          .openapi({ description: 'Unanswered after this long, the approval expires and the step fails' }),
      })
      .strict(),
    http: z
      .object({
        url: z.url({ protocol: /^https?$/ }).max(2000),
        method: z.enum(HTTP_METHODS).default('POST'),
        headers: z
          .record(z.string().min(1).max(200), z.string().max(8000))
          .default({})
          .refine((h) => Object.keys(h).length <= 50, 'At most 50 headers')
          .openapi({ description: 'Values may use `{{secret:NAME}}` for a vault item' }),
        body: template(64_000).nullable().optional().openapi({ description: 'The request body, a template' }),
        timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
      })
      .strict(),
    external: z
      .object({
        job_type: z.string().min(1).max(100).openapi({ description: 'The job type a worker dispatches on' }),
        queue: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
          .default('default')
          .openapi({ description: 'The job queue it is posted to' }),
        payload: jsonValue({ description: 'The job payload; its string values are templates' }).default(null),
      })
      .strict(),
    transform: z
      .object({ template: template().openapi({ description: 'Rendered into the step’s output' }) })
      .strict(),
    wait: z
      .object({
        seconds: z
          .number()
          .int()
          .min(1)
          .max(30 * 86_400),
      })
      .strict(),
  };
}

const common = {
  key: StepKeySchema,
  name: z.string().trim().min(1).max(200),
  retry: RetrySchema.default({ max_attempts: 3, backoff_ms: 1000, max_backoff_ms: 60_000 }),
  timeout_ms: z.number().int().min(1000).max(3_600_000).default(300_000).openapi({
    description:
      'How long one attempt may run before it counts as lost and is retried (approval and wait steps end by their own expiry or delay)',
  }),
};

function stepSchema<A extends z.ZodType, C extends z.ZodType>(agentRef: A, councilRef: C) {
  const c = kindConfigs(agentRef, councilRef);
  const variant = <K extends StepKind, S extends z.ZodType>(kind: K, config: S) =>
    z.object({ ...common, kind: z.literal(kind), config }).strict();
  return z.discriminatedUnion('kind', [
    variant('agent', c.agent),
    variant('council', c.council),
    variant('approval', c.approval),
    variant('http', c.http),
    variant('external', c.external),
    variant('transform', c.transform),
    variant('wait', c.wait),
  ]);
}

export const StepDefSchema = stepSchema(id, id).openapi('PipelineStep');
export type StepDef = z.infer<typeof StepDefSchema>;
export type StepConfig<K extends StepKind> = Extract<StepDef, { kind: K }>['config'];

/**
 * A condition on the parent's output: the value at `path` (dot-separated; absent = the whole
 * output; a string output that is JSON is parsed first) `equals` / `not_equals` a JSON value,
 * `contains` a substring or array element, or `exists` (true: present and not null).
 */
export const EdgeConditionSchema = z
  .object({
    exists: z.boolean().optional(),
    path: z.string().max(200).optional().openapi({ example: 'verdict' }),
    equals: jsonValue({ maxBytes: 4096 }).optional(),
    not_equals: jsonValue({ maxBytes: 4096 }).optional(),
    contains: jsonValue({ maxBytes: 4096 }).optional(),
  })
  .strict()
  .refine(
    (c) => ['equals', 'not_equals', 'contains', 'exists'].filter((op) => op in c).length === 1,
    'Give exactly one of equals, not_equals, contains or exists',
  )
  .openapi('PipelineEdgeCondition');
export type EdgeCondition = z.infer<typeof EdgeConditionSchema>;

export const EdgeDefSchema = z
  .object({
    from: StepKeySchema,
    to: StepKeySchema,
    condition: EdgeConditionSchema.nullable().optional().openapi({
      description:
        'When given, `to` runs only if it holds on `from`’s output; otherwise the edge is not taken',
    }),
  })
  .strict()
  .openapi('PipelineEdge');
export type EdgeDef = z.infer<typeof EdgeDefSchema>;

export const SnapshotSchema = z
  .object({
    steps: z.array(StepDefSchema).max(MAX_STEPS),
    edges: z.array(EdgeDefSchema).max(MAX_EDGES),
  })
  .strict()
  .openapi('PipelineGraph');
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** A template's graph: agent and council steps may be unbound (null) until a pipeline is made. */
export const TemplateStepDefSchema = stepSchema(
  id.nullable().default(null),
  id.nullable().default(null),
).openapi('PipelineTemplateStep');
export const TemplateSnapshotSchema = z
  .object({
    steps: z.array(TemplateStepDefSchema).max(MAX_STEPS),
    edges: z.array(EdgeDefSchema).max(MAX_EDGES),
  })
  .strict()
  .openapi('PipelineTemplateGraph');
export type TemplateSnapshot = z.infer<typeof TemplateSnapshotSchema>;
