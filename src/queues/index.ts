import type { Env } from '../env';
import { consumeDeadSteps, consumeSteps, STEPS_DLQ, STEPS_QUEUE } from './steps';

/** The Worker's queue handler: one consumer per queue. */
export async function runQueue(batch: MessageBatch<unknown>, env: Env) {
  if (batch.queue === STEPS_QUEUE) return consumeSteps(batch, env);
  if (batch.queue === STEPS_DLQ) return consumeDeadSteps(batch, env);
  console.error(JSON.stringify({ queue: batch.queue, unknown: true, messages: batch.messages.length }));
  batch.retryAll();
}
