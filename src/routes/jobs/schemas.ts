import { z } from '@hono/zod-openapi';
import { JOB_STATES } from '../../db/schema';
import type { Job } from '../../domain/jobs/queue';
import { OrgParamsSchema, pathId } from '../../http/params';
import { readStoredJson } from '../../lib/json-value';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Jobs'];

/** Payloads and results are capped: a job carries instructions and outcomes, not data sets. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const DAY_SECONDS = 86_400;

export const JobParamsSchema = OrgParamsSchema.extend({ jobId: pathId('jobId', 'job_01hv…') });

export const QueueNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'Lowercase letters, digits, dot, dash or underscore; at most 64')
  .openapi({ example: 'default' });

export const WorkerIdSchema = z
  .string()
  .min(1)
  .max(100)
  .openapi({ description: 'Chosen by the worker; stable across its claims', example: 'laptop-7' });

export const JobStateSchema = z.enum(JOB_STATES);

export const JobSchema = z
  .object({
    id: z.string().openapi({ description: 'The job id', example: 'job_01hv…' }),
    queue: z.string().openapi({ description: 'The queue it waits in; workers claim from named queues' }),
    type: z.string().openapi({ description: 'What kind of work it is, for the worker to dispatch on' }),
    payload: z.unknown().openapi({
      description:
        'The input for the worker, any JSON value, as submitted (a payload too deeply nested to encode again is given as its JSON text)',
    }),
    priority: z
      .number()
      .int()
      .openapi({ description: 'Higher runs first; jobs of equal priority run in order of `available_at`' }),
    state: JobStateSchema.openapi({
      description:
        '`waiting` to be claimed, `leased` by a worker, `done`, `failed` (an attempt failed; it is retried at `available_at`) or `dead` (no attempts left)',
    }),
    attempts: z.number().int().openapi({ description: 'How many times it has been claimed' }),
    max_attempts: z
      .number()
      .int()
      .openapi({ description: 'After this many failed or expired attempts the job is `dead`' }),
    timeout_seconds: z
      .number()
      .openapi({ description: 'How long a lease lasts unless the worker sends a heartbeat' }),
    idempotency_key: z.string().nullable().openapi({
      description: 'The key it was submitted with; a repeat submission with the same key returns this job',
    }),
    available_at: z.iso.datetime().openapi({ description: 'When the job can next be claimed' }),
    worker_id: z.string().nullable().openapi({ description: 'The worker holding (or last holding) the job' }),
    lease_expires_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'When the current lease ends; null when not leased' }),
    result: z
      .unknown()
      .openapi({ description: 'What the worker reported on completion, any JSON value; null until done' }),
    last_error: z
      .string()
      .nullable()
      .openapi({ description: 'The error of the last failed attempt; null if none' }),
    created_at: z.iso.datetime().openapi({ description: 'When it was submitted' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
    completed_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'When it became `done` or `dead`; null before' }),
  })
  .openapi('Job');

export const toJob = (j: Job): z.infer<typeof JobSchema> => ({
  id: j.id,
  queue: j.queue,
  type: j.type,
  payload: readStoredJson(j.payload),
  priority: j.priority,
  state: j.state,
  attempts: j.attempts,
  max_attempts: j.maxAttempts,
  timeout_seconds: j.timeoutMs / 1000,
  idempotency_key: j.idempotencyKey,
  available_at: iso(j.availableAt),
  worker_id: j.workerId,
  lease_expires_at: isoOrNull(j.leaseExpiresAt),
  result: j.result === null ? null : readStoredJson(j.result),
  last_error: j.lastError,
  created_at: iso(j.createdAt),
  updated_at: iso(j.updatedAt),
  completed_at: isoOrNull(j.completedAt),
});

/** What a worker presents to act on a job it leased. */
export const LeaseProofSchema = z.object({
  worker_id: WorkerIdSchema,
  lease_id: z.string().min(1).max(100).openapi({ description: 'The `lease_id` the claim returned' }),
});
