import type { Env } from '../../env';
import { runObject } from './index-sync';
import type { WaitResult } from './protocol';

export interface WaitingStepRef {
  runId: string;
  stepKey: string;
  /** The attempt token the step's executor was given; a resolution for another attempt is ignored. */
  token: string;
}

/**
 * Finishes a step that is waiting (an approval, an external job): succeeded with `output`, or
 * failed with `error` (retried per the step's policy only if `retryable`: by default the waiting
 * itself was the attempt). Returns false, changing nothing, when the step is no longer waiting on
 * that attempt (cancelled, expired, resolved).
 */
export function resolveWaitingStep(env: Env, ref: WaitingStepRef, result: WaitResult): Promise<boolean> {
  return runObject(env, ref.runId).resolve(ref.stepKey, ref.token, result);
}
