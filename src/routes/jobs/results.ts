import { z } from '@hono/zod-openapi';
import { completeJob, failJob, heartbeat } from '../../domain/jobs/results';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { jsonValue } from '../../lib/json-value';
import {
  DAY_SECONDS,
  JobParamsSchema,
  JobSchema,
  LeaseProofSchema,
  MAX_PAYLOAD_BYTES,
  tags,
  toJob,
} from './schemas';

/** What a worker holding a lease reports: it is alive, the job is done, or the attempt failed. */

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

export const resultRoutes = createRouter()
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
