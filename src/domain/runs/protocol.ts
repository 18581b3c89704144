import type { JsonValue } from '../../lib/json-value';
import type { EventType } from '../events/catalog';
import type { StepState } from './engine';
import type { PlanStep, RunInfo } from './plan';

/** What the Worker, the STEPS queue and a run's object agree on. */

export type RunStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
export const ACTIVE_RUN_STATUSES = ['queued', 'running', 'paused'] as const;

/** A STEPS queue message: a request to try the attempt that `token` names. */
export interface StepMessage {
  v: 1;
  org_id: string;
  run_id: string;
  step_key: string;
  token: string;
}

/** An event a transition writes to the run's log. */
export interface RunEvent {
  type: EventType;
  stepKey?: string;
  payload?: Record<string, JsonValue>;
}

/** What the consumer gets when it may execute an attempt. */
export interface StepBegin {
  run: RunInfo;
  step: PlanStep;
  attempt: number;
  token: string;
  outputs: Record<string, JsonValue>;
}

export interface StepSnapshot {
  key: string;
  name: string;
  kind: string;
  agent_id: string | null;
  state: StepState;
  attempt: number;
  max_attempts: number;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  output: JsonValue;
  error: string | null;
  input_tokens: number;
  output_tokens: number;
}

export interface RunSnapshot {
  status: RunStatus;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
  latest_seq: number;
  steps: StepSnapshot[];
}

export type CommandResult = { ok: true; snapshot: RunSnapshot } | { ok: false; reason: string };

/** How a waiting step ends; a failure is retried (per the step's policy) only when `retryable`. */
export type WaitResult = { ok: true; output: JsonValue } | { ok: false; error: string; retryable?: boolean };
