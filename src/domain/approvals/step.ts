import { eq } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { pipelines } from '../../db/schema';
import type { StepExecutor } from '../runs/steps/types';
import { renderTemplate, templateScope } from '../runs/template';
import { requestApproval } from './approvals';
import { outcomeOf } from './report';

/** What the approval page shows of the run input. */
const INPUT_SUMMARY_CHARS = 500;
const DEFAULT_EXPIRY_SECONDS = 86_400;

function summary(input: unknown) {
  const text = typeof input === 'string' ? input : JSON.stringify(input ?? null);
  return text.length > INPUT_SUMMARY_CHARS ? `${text.slice(0, INPUT_SUMMARY_CHARS - 1)}…` : text;
}

/**
 * An `approval` step: asks for a decision and waits, holding no consumer. The decision (public
 * link or a member) resolves the step; at expiry the run's object fails it, and the cron job
 * marks the approval expired.
 */
export const approvalStep: StepExecutor = async (x) => {
  const db = createDb(x.env.DB);
  const template = typeof x.step.config.message === 'string' ? x.step.config.message : '';
  const seconds =
    typeof x.step.config.expires_in_seconds === 'number'
      ? x.step.config.expires_in_seconds
      : DEFAULT_EXPIRY_SECONDS;
  const [scope, [pipeline]] = await Promise.all([
    templateScope(x.env, x.run, x.outputs, [template]),
    db.select({ name: pipelines.name }).from(pipelines).where(eq(pipelines.id, x.run.pipelineId)),
  ]);
  const approval = await requestApproval(
    { env: x.env, db, actor: { type: 'system', id: 'pipeline' }, ip: null },
    {
      orgId: x.run.orgId,
      runId: x.run.runId,
      stepKey: x.step.key,
      attempt: x.attempt,
      attemptToken: x.token,
      expiresAt: Date.now() + seconds * 1000,
      context: {
        pipeline: { id: x.run.pipelineId, name: pipeline?.name ?? '' },
        step: { key: x.step.key, name: x.step.name },
        message: renderTemplate(template, scope),
        input_summary: summary(x.run.input),
      },
    },
  );
  // Only when this attempt's approval already exists and was decided (e.g. the same attempt again).
  if (approval.status !== 'pending') {
    const outcome = outcomeOf(approval);
    return outcome.ok
      ? { status: 'succeeded', output: outcome.output }
      : { status: 'failed', error: outcome.error, retryable: false };
  }
  return {
    status: 'waiting',
    until: approval.expiresAt,
    onTimeout: 'fail',
    reason: `approval ${approval.id}`,
  };
};
