import type { Env } from '../../env';
import type { PipelineRunStub } from './index-sync';
import type { StepBegin } from './protocol';
import { STEP_EXECUTORS } from './steps';
import type { StepOutcome } from './steps/types';

/**
 * Runs one claimed attempt. An executor that throws fails the attempt (retried while attempts
 * remain) instead of taking the consumer down; when the run's object says the attempt is no
 * longer current (cancelled, timed out), the executor's signal is aborted.
 */
export async function executeStep(env: Env, begin: StepBegin, run: PipelineRunStub): Promise<StepOutcome> {
  const executor = STEP_EXECUTORS[begin.step.kind];
  if (!executor)
    return { status: 'failed', error: `No executor for step kind ${begin.step.kind}`, retryable: false };
  const controller = new AbortController();
  try {
    return await executor({
      env,
      run: begin.run,
      step: begin.step,
      attempt: begin.attempt,
      token: begin.token,
      outputs: begin.outputs,
      signal: controller.signal,
      emit: async (events) => {
        const current = await run.emit(begin.step.key, begin.token, events);
        if (!current) controller.abort(new Error('The attempt is no longer current'));
        return current;
      },
    });
  } catch (err) {
    return {
      status: 'failed',
      error: `The step threw: ${err instanceof Error ? err.message : String(err)}`,
      retryable: true,
    };
  }
}
