import { z } from '@hono/zod-openapi';
import { claimJobs, getJob, listJobs, submitJob } from '../../domain/jobs/queue';
import { completeJob, failJob, heartbeat } from '../../domain/jobs/results';
import { listWorkers, queueStats } from '../../domain/jobs/stats';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { jsonValue } from '../../lib/json-value';
import { iso } from '../../lib/time';
import {
  JobParamsSchema,
  JobSchema,
  JobStateSchema,
  LeaseProofSchema,
  QueueNameSchema,
  tags,
  toJob,
  WorkerIdSchema,
} from './schemas';

const MAX_PAYLOAD_BYTES = 256 * 1024;
const DAY_SECONDS = 86_400;

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

const statsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs/stats',
  tags,
  operationId: 'jobQueueStats',
  summary: 'Jobs per queue and state (waiting, leased, done, failed and awaiting retry, dead)',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: { params: OrgParamsSchema, query: z.object({ queue: QueueNameSchema.optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        queues: z.array(
          z.object({
            queue: z.string(),
            waiting: z.number().int(),
            leased: z.number().int(),
            done: z.number().int(),
            failed: z.number().int(),
            dead: z.number().int(),
          }),
        ),
      }),
      'Statistics',
    ),
  },
});

const workersRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/jobs/workers',
  tags,
  operationId: 'listJobWorkers',
  summary: 'Workers that have claimed jobs, most recently heard from first',
  access: { role: 'viewer', scope: 'jobs:read' },
  request: { params: OrgParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            worker_id: z.string(),
            last_queue: z.string().nullable(),
            last_heartbeat_at: z.iso.datetime(),
            active_leases: z.number().int(),
            jobs_completed: z.number().int(),
            jobs_failed: z.number().int(),
            first_seen_at: z.iso.datetime(),
          }),
        ),
      }),
      'Workers',
    ),
  },
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

const heartbeatRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/jobs/{jobId}/heartbeat',
  tags,
  operationId: 'heartbeatJob',
  summary: 'Extend the lease on a job (409 if the lease is no longer held)',
  access: { role: 'member', scope: 'jobs:write' },
  conflicts: true,
  request: {
    params: JobParamsSchema,
    body: jsonBody(
      LeaseProofSchema.extend({
        extend_seconds: z
          .number()
          .int()
          .min(1)
          .max(DAY_SECONDS)
          .optional()
          .openapi({ description: 'From now; defaults to the job’s timeout' }),
      }),
    ),
  },
  responses: { 200: jsonResponse(JobSchema, 'The job with its new lease expiry') },
});

const completeRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/jobs/{jobId}/complete',
  tags,
  operationId: 'completeJob',
  summary: 'Finish a leased job with its result',
  access: { role: 'member', scope: 'jobs:write' },
  conflicts: true,
  request: {
    params: JobParamsSchema,
    body: jsonBody(
      LeaseProofSchema.extend({
        result: jsonValue({ maxBytes: MAX_PAYLOAD_BYTES, description: 'What the job produced' }).optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(JobSchema, 'The job, done') },
});

const failRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/jobs/{jobId}/fail',
  tags,
  operationId: 'failJob',
  summary: 'Report a failed attempt: retried with exponential backoff until max_attempts, then dead',
  access: { role: 'member', scope: 'jobs:write' },
  conflicts: true,
  request: {
    params: JobParamsSchema,
    body: jsonBody(
      LeaseProofSchema.extend({
        error: z.string().min(1).max(10_000),
        retryable: z.boolean().default(true).openapi({ description: 'false makes the job dead at once' }),
      }),
    ),
  },
  responses: { 200: jsonResponse(JobSchema, 'The job, failed (awaiting retry) or dead') },
});

const proofOf = (b: { worker_id: string; lease_id: string }) => ({
  workerId: b.worker_id,
  leaseId: b.lease_id,
});

export const jobsRouter = createRouter()
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
  .openapi(statsRoute, async (c) => {
    return c.json({ queues: await queueStats(c.var.db, c.var.org.id, c.req.valid('query').queue) }, 200);
  })
  .openapi(workersRoute, async (c) => {
    const rows = await listWorkers(c.var.db, c.var.org.id);
    return c.json(
      {
        data: rows.map((w) => ({
          worker_id: w.workerId,
          last_queue: w.lastQueue,
          last_heartbeat_at: iso(w.lastHeartbeatAt),
          active_leases: w.activeLeases,
          jobs_completed: w.jobsCompleted,
          jobs_failed: w.jobsFailed,
          first_seen_at: iso(w.createdAt),
        })),
      },
      200,
    );
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
  })
  .openapi(heartbeatRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    const b = c.req.valid('json');
    const job = await heartbeat(
      c.var.ctx,
      jobId,
      proofOf(b),
      b.extend_seconds === undefined ? undefined : b.extend_seconds * 1000,
    );
    return c.json(toJob(job), 200);
  })
  .openapi(completeRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    const b = c.req.valid('json');
    return c.json(toJob(await completeJob(c.var.ctx, jobId, proofOf(b), b.result ?? null)), 200);
  })
  .openapi(failRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    const b = c.req.valid('json');
    return c.json(toJob(await failJob(c.var.ctx, jobId, proofOf(b), b.error, b.retryable)), 200);
  });
