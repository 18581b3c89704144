import type { Env } from '../../../env';
import type { JsonValue } from '../../../lib/json-value';
import type { EventType } from '../../events/catalog';
import type { PlanStep, RunInfo } from '../plan';

/** Token counts a step reports (model steps); zero for the others. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What one attempt of a step is handed by the queue consumer. */
export interface StepExecution {
  env: Env;
  run: RunInfo;
  step: PlanStep;
  /** Which attempt this is (1, 2…) and its token: results and resolutions must present it. */
  attempt: number;
  token: string;
  /** Outputs of the run's succeeded steps, by key. */
  outputs: Record<string, JsonValue>;
  /** Aborted when the run is cancelled or this attempt stopped being the current one. */
  signal: AbortSignal;
  /**
   * Publishes streamed output (`agent.output` deltas) to the run's log; false means the attempt
   * is no longer current (cancelled, timed out) and the executor should stop.
   */
  emit: (events: { type: EventType; payload: Record<string, JsonValue> }[]) => Promise<boolean>;
}

export type StepOutcome =
  | { status: 'succeeded'; output: JsonValue; usage?: StepUsage }
  | { status: 'failed'; error: string; retryable: boolean; usage?: StepUsage }
  /**
   * The step waits for something outside the attempt (a delay, a person, a worker) and is finished
   * later by `resolveWaitingStep`. At `until` (ms; null = never) it ends on its own: succeeded with
   * `output` for a delay, failed for an expiry.
   */
  | {
      status: 'waiting';
      until: number | null;
      onTimeout: 'succeed' | 'fail';
      output?: JsonValue;
      reason: string;
    };

/** One attempt of one step kind. It must not throw for expected failures: it returns them. */
export type StepExecutor = (x: StepExecution) => Promise<StepOutcome>;
