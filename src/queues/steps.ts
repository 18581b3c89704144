import { z } from '@hono/zod-openapi';
import { executeStep } from '../domain/runs/execute';
import { runObject } from '../domain/runs/index-sync';
import type { StepMessage } from '../domain/runs/protocol';
import type { Env } from '../env';

export const STEPS_QUEUE = 'foreman-steps';
export const STEPS_DLQ = 'foreman-steps-dlq';

const StepMessageSchema = z.object({
  v: z.literal(1),
  org_id: z.string().min(1),
  run_id: z.string().min(1),
  step_key: z.string().min(1),
  token: z.string().min(1),
});

/** Exponential, with jitter, for redelivery when the run's object could not be reached. */
const redeliveryDelay = (attempts: number) => Math.min(60, 2 ** attempts) * (0.5 + Math.random() / 2);

function parse(message: Message<unknown>): StepMessage | null {
  const parsed = StepMessageSchema.safeParse(message.body);
  if (parsed.success) return parsed.data;
  console.error(
    JSON.stringify({ queue: STEPS_QUEUE, malformed: message.id, issues: parsed.error.issues.length }),
  );
  message.ack();
  return null;
}

/**
 * One step attempt per message: claim it from the run's object (which refuses a stale or
 * duplicate message), execute it, report the outcome. Reaching the object is the only transient
 * failure here, so only that retries the message; the step's own failures are outcomes.
 */
async function consume(message: Message<unknown>, env: Env) {
  const body = parse(message);
  if (!body) return;
  const run = runObject(env, body.run_id);
  try {
    const begin = await run.claim(body.step_key, body.token);
    if (begin) await run.report(body.step_key, body.token, await executeStep(env, begin, run));
    message.ack();
  } catch (err) {
    console.error(
      JSON.stringify({ queue: STEPS_QUEUE, run_id: body.run_id, step: body.step_key, failed: String(err) }),
    );
    message.retry({ delaySeconds: Math.round(redeliveryDelay(message.attempts)) });
  }
}

/** Messages that failed every delivery: the run records it, and the attempt fails if still current. */
async function deadLetter(message: Message<unknown>, env: Env) {
  const body = parse(message);
  if (!body) return;
  const reason = `The step message could not be processed after ${message.attempts} deliveries`;
  await runObject(env, body.run_id).deadLetter(body.step_key, body.token, reason);
  message.ack();
}

export async function consumeSteps(batch: MessageBatch<unknown>, env: Env) {
  await Promise.all(batch.messages.map((m) => consume(m, env)));
}

export async function consumeDeadSteps(batch: MessageBatch<unknown>, env: Env) {
  await Promise.all(batch.messages.map((m) => deadLetter(m, env)));
}
