import type { JsonValue } from '../../lib/json-value';
import { nextSteps } from '../pipelines/dag';
import type { RunPlan } from './plan';

export const STEP_STATES = [
  'pending',
  'queued',
  'running',
  'waiting',
  'retrying',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/** States a step leaves only by finishing: the run is not over while one is in them. */
export const ACTIVE_STEP_STATES: readonly StepState[] = ['queued', 'running', 'waiting', 'retrying'];
export const DONE_STEP_STATES: readonly StepState[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export interface StepView {
  state: StepState;
  output: JsonValue;
}

/**
 * Which pending steps can start and which never will, from the states of their parents (the
 * pipelines' DAG rules). The run's object applies it after every transition, so fan-in is
 * decided in one place.
 */
export function decide(plan: RunPlan, steps: ReadonlyMap<string, StepView>) {
  const progress = new Map([...steps].map(([k, v]) => [k, { status: v.state, output: v.output }]));
  const { ready, skipped } = nextSteps(plan, progress);
  return { ready, skip: skipped };
}

/** The run's outcome once no step is pending or active; null while something can still happen. */
export function outcome(steps: ReadonlyMap<string, StepView>): 'succeeded' | 'failed' | null {
  let failed = false;
  for (const s of steps.values()) {
    if (s.state === 'pending' || ACTIVE_STEP_STATES.includes(s.state)) return null;
    if (s.state === 'failed') failed = true;
  }
  return failed ? 'failed' : 'succeeded';
}

/** The keys downstream of `key` (its children, their children…). */
export function descendants(plan: RunPlan, key: string): Set<string> {
  const found = new Set<string>();
  const stack = [key];
  for (let k = stack.pop(); k !== undefined; k = stack.pop())
    for (const e of plan.edges)
      if (e.from === k && !found.has(e.to)) {
        found.add(e.to);
        stack.push(e.to);
      }
  return found;
}

/** Exponential backoff with jitter in its upper half: `base·2^(attempt-1)·[0.5, 1)`, capped at `maxMs`. */
export function backoffDelay(baseMs: number, maxMs: number, attempt: number, random = Math.random()): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), maxMs);
  return Math.round(ceiling * (0.5 + random / 2));
}

/**
 * The steps a restart runs again: all that did not succeed, or (given `key`) that failed step and
 * those after it that did not succeed; a string says why `key` cannot be retried.
 */
export function restartSteps(
  plan: RunPlan,
  rows: readonly { key: string; state: StepState }[],
  key?: string,
): string[] | string {
  if (key === undefined) return rows.filter((r) => r.state !== 'succeeded').map((r) => r.key);
  const row = rows.find((r) => r.key === key);
  if (row?.state !== 'failed')
    return `Step ${key} is ${row?.state ?? 'missing'}; only a failed step can be retried`;
  const after = descendants(plan, key);
  return [key, ...rows.filter((r) => after.has(r.key) && r.state !== 'succeeded').map((r) => r.key)];
}
