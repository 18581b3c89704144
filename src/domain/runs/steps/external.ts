import { createDb } from '../../../db/client';
import type { Env } from '../../../env';
import type { JsonValue } from '../../../lib/json-value';
import { systemOrgCtx } from '../../context';
import type { Job } from '../../jobs/queue';
import { submitJob } from '../../jobs/queue';
import { resolveWaitingStep, type WaitingStepRef } from '../resolve';
import { renderTemplate, type TemplateScope, templateScope } from '../template';
import type { StepExecutor } from './types';

/** How long a worker's lease lasts; the job queue retries an attempt whose lease runs out. */
const JOB_LEASE_MS = 5 * 60_000;
const JOB_ATTEMPTS = 3;
/** An external step's job carries its step in its idempotency key, so completing the job finds it. */
const KEY_PREFIX = 'run-step:';

const jobKey = (ref: WaitingStepRef) => `${KEY_PREFIX}${ref.runId}:${ref.stepKey}:${ref.token}`;

function stepOfJob(job: Pick<Job, 'idempotencyKey'>): WaitingStepRef | null {
  if (!job.idempotencyKey?.startsWith(KEY_PREFIX)) return null;
  const [runId, stepKey, token] = job.idempotencyKey.slice(KEY_PREFIX.length).split(':');
  return runId && stepKey && token ? { runId, stepKey, token } : null;
}

function renderStrings(value: JsonValue, scope: TemplateScope): JsonValue {
  if (typeof value === 'string') return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderStrings(v, scope));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v, scope)]));
  return value;
}

/**
 * Posts a job to the organization's job queue for an external worker and waits: the step ends
 * when the worker completes the job (its result is the output) or the job dies. A repeated
 * attempt token finds the job already submitted (the key is the attempt's).
 */
export const externalStep: StepExecutor = async (x) => {
  const config = x.step.config as { job_type: string; queue: string; payload: JsonValue };
  const scope = await templateScope(x.env, x.run, x.outputs, [JSON.stringify(config.payload)]);
  const ref = { runId: x.run.runId, stepKey: x.step.key, token: x.token };
  const { job } = await submitJob(systemOrgCtx(x.env, createDb(x.env.DB), x.run.orgId, 'pipeline_run'), {
    queue: config.queue,
    type: config.job_type,
    payload: renderStrings(config.payload ?? null, scope),
    priority: 0,
    maxAttempts: JOB_ATTEMPTS,
    timeoutMs: JOB_LEASE_MS,
    delayMs: 0,
    idempotencyKey: jobKey(ref),
  });
  return { status: 'waiting', until: null, onTimeout: 'fail', reason: `job ${job.id}` };
};

/**
 * The job queue's completion paths (a worker's complete or fail, lease expiry): a job that
 * belongs to an external step finishes the step.
 */
export async function jobFinished(env: Env, job: Job) {
  const ref = stepOfJob(job);
  if (!ref) return;
  if (job.state === 'done')
    await resolveWaitingStep(env, ref, {
      ok: true,
      output: job.result === null ? null : JSON.parse(job.result),
    });
  else if (job.state === 'dead')
    await resolveWaitingStep(env, ref, {
      ok: false,
      error: `Job ${job.id} failed: ${job.lastError ?? 'no reason given'}`,
      // A job that used its attempts (or whose worker vanished) may work as a new attempt of the
      // step, per the step's retry policy; one its worker refused before that will not.
      retryable: job.attempts >= job.maxAttempts,
    });
}
