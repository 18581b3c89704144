import { z } from '@hono/zod-openapi';
import { claimJobs, getJob, listJobs, submitJob } from '../../domain/jobs/queue';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { jsonValue } from '../../lib/json-value';
import {
  DAY_SECONDS,
  JobParamsSchema,
  JobSchema,
  JobStateSchema,
  MAX_PAYLOAD_BYTES,
  QueueNameSchema,
  tags,
  toJob,
  WorkerIdSchema,
} from './schemas';

/** Submitting jobs, reading them, and claiming them for a worker. */

const SubmitSchema = z.object({
  type: z.string().trim().min(1).max(100).openapi({ example: 'repo.index' }),
  payload: jsonValue({
    maxBytes: MAX_PAYLOAD_BYTES,
    description: 'What the worker needs to do the job',
  }).refine((p) => p !== undefined),
  queue: QueueNameSchema.default('default'),
  priority: z.number().int().min(-1000).max(1000).default(0).openapi({ description: 'Higher runs first' }),
  max_attempts: z.number().int().min(1).max(100).default(3),
  timeout_seconds: z.number().int().min(1).max(DAY_SECONDS).default(300).openapi({
    description: 'Lease length: a worker that neither heartbeats nor finishes by then loses the job',
  }),
  delay_seconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY_SECONDS)
    .default(0),
  idempotency_key: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: 'A repeated submission with the same key returns the original job (200)' }),
});

const submitRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/jobs',
  tags,
  operationId: 'submitJob',
  summary: 'Submit a job to a queue; with `idempotency_key`, a repeat returns the original job',
  description:
    'Two ways to make a submission safe to repeat: `idempotency_key` in the body is kept with the job for the ' +
    'organization (any caller repeating it gets the original job, 200), and the `Idempotency-Key` header ' +
    'replays this caller’s original response for 24 hours.',
  access: { role: 'member', scope: 'jobs:write' },
  idempotent: true,
  request: { params: OrgParamsSchema, body: jsonBody(SubmitSchema) },
  responses: {
    201: jsonResponse(JobSchema, 'The job was queued'),
    200: jsonResponse(JobSchema, 'A job with this idempotency key already existed; here it is'),
  },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs',
  tags,
  operationId: 'listJobs',
  summary: 'Jobs, newest first, by state, queue and type',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: {
    params: OrgParamsSchema,
    query: PageQuerySchema.extend({
      state: JobStateSchema.optional(),
      queue: QueueNameSchema.optional(),
      type: z.string().max(100).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(JobSchema), 'A page of jobs') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs/{jobId}',
  tags,
  operationId: 'getJob',
  summary: 'A job',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: { params: JobParamsSchema },
  responses: { 200: jsonResponse(JobSchema, 'The job') },
});

const claimRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/jobs/claim',
  tags,
  operationId: 'claimJobs',
  summary: 'Lease up to `batch_size` available jobs of a queue, most urgent first; never the same job twice',
  description:
    'With an `Idempotency-Key`, a retried claim (e.g. after a lost response) returns the same lease.',
  access: { role: 'member', scope: 'jobs:write' },
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z.object({
        worker_id: WorkerIdSchema,
        queue: QueueNameSchema.default('default'),
        types: z
          .array(z.string().min(1).max(100))
          .max(50)
          .optional()
          .openapi({ description: 'Only these job types' }),
        batch_size: z.number().int().min(1).max(100).default(1),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        lease_id: z.string().openapi({ description: 'Present it to heartbeat, complete or fail these jobs' }),
        data: z.array(JobSchema).openapi({ description: 'Empty when nothing is available' }),
      }),
      'The leased jobs',
    ),
  },
});

export const queueRoutes = createRouter()
  .openapi(submitRoute, async (c) => {
    const b = c.req.valid('json');
    const { job, created } = await submitJob(c.var.ctx, {
      queue: b.queue,
      type: b.type,
      payload: b.payload,
      priority: b.priority,
      maxAttempts: b.max_attempts,
      timeoutMs: b.timeout_seconds * 1000,
      delayMs: b.delay_seconds * 1000,
      idempotencyKey: b.idempotency_key,
    });
    if (!created) return c.json(toJob(job), 200, { 'Idempotent-Replayed': 'true' });
    return c.json(toJob(job), 201);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => listJobs(c.var.ctx, q, p), toJob), 200);
  })
  .openapi(claimRoute, async (c) => {
    const b = c.req.valid('json');
    const claim = await claimJobs(c.var.ctx, {
      workerId: b.worker_id,
      queue: b.queue,
      types: b.types,
      batchSize: b.batch_size,
    });
    return c.json({ lease_id: claim.leaseId, data: claim.jobs.map(toJob) }, 200);
  })
  .openapi(getRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    return c.json(toJob(await getJob(c.var.db, c.var.org.id, jobId)), 200);
  });
