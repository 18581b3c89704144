import { z } from '@hono/zod-openapi';
import { JOB_STATES } from '../../db/schema';
import type { Job } from '../../domain/jobs/queue';
import { readStoredJson } from '../../lib/json-value';
import { OrgParamsSchema } from '../../lib/openapi';
import { iso, isoOrNull } from '../../lib/time';
import { pathId } from '../tickets/schemas';

export const tags = ['Jobs'];

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
    id: z.string().openapi({ example: 'job_01hv…' }),
    queue: z.string(),
    type: z.string(),
    payload: z.unknown().openapi({
      description: 'As submitted (a payload too deeply nested to encode again is given as its JSON text)',
    }),
    priority: z.number().int(),
    state: JobStateSchema,
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    timeout_seconds: z.number(),
    idempotency_key: z.string().nullable(),
    available_at: z.iso.datetime().openapi({ description: 'When the job can next be claimed' }),
    worker_id: z.string().nullable().openapi({ description: 'The worker holding (or last holding) the job' }),
    lease_expires_at: z.iso.datetime().nullable(),
    result: z.unknown(),
    last_error: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    completed_at: z.iso.datetime().nullable(),
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
