import { backoffDelay, DONE_STEP_STATES, decide, outcome, restartSteps } from './engine';
import { type PlanStep, planStep, type RunInfo, type RunPlan } from './plan';
import type { RunEvent, RunSnapshot, RunStatus } from './protocol';
import { runSnapshot } from './run-snapshot';
import { parseOutput, type StepRow, StepStore } from './step-store';
import type { StepOutcome } from './steps/types';

/** Writes state changes together with their events (the run's object: one transaction). */
export type Commit = (events: RunEvent[], change?: () => void) => void;

export interface Meta {
  get(key: string): SqlStorageValue | undefined;
  set(key: string, value: SqlStorageValue): void;
}

/**
 * The run's state machine over its object's storage: each transition commits its events with
 * its changes. The object around it does the I/O (queue sends, the D1 index, alarms).
 */
export class RunSteps {
  readonly steps: StepStore;
  private cachedInfo: RunInfo | undefined;
  private cachedPlan: RunPlan | undefined;

  constructor(
    sql: SqlStorage,
    private readonly meta: Meta,
    private readonly commit: Commit,
  ) {
    this.steps = new StepStore(sql);
  }

  info(): RunInfo | null {
    const text = this.meta.get('run_info');
    if (typeof text !== 'string') return null;
    this.cachedInfo ??= JSON.parse(text) as RunInfo;
    return this.cachedInfo;
  }

  plan(): RunPlan {
    this.cachedPlan ??= JSON.parse(String(this.meta.get('run_plan'))) as RunPlan;
    return this.cachedPlan;
  }

  private cachedSteps: Map<string, PlanStep> | undefined;

  planStep(key: string): PlanStep | undefined {
    if (!this.info()) return undefined;
    this.cachedSteps ??= new Map(this.plan().steps.map((s) => [s.key, planStep(s)]));
    return this.cachedSteps.get(key);
  }

  status(): RunStatus | null {
    return (this.meta.get('run_status') as RunStatus | undefined) ?? null;
  }

  step(key: string) {
    return this.steps.get(key);
  }

  create(info: RunInfo, plan: RunPlan, status: RunStatus) {
    this.meta.set('run_info', JSON.stringify(info));
    this.meta.set('run_plan', JSON.stringify(plan));
    this.meta.set('run_status', status);
    this.steps.insert(plan.steps.map((s) => s.key));
  }

  setStatus(status: RunStatus) {
    this.meta.set('run_status', status);
    if (status === 'running' && this.meta.get('run_started_at') === undefined)
      this.meta.set('run_started_at', Date.now());
  }

  decide() {
    return decide(this.plan(), this.steps.views());
  }

  outcome() {
    return outcome(this.steps.views());
  }

  /** Why a failed run failed: its first failed step's error. */
  failure() {
    const failed = this.steps.all().find((r) => r.state === 'failed');
    return failed ? `Step ${failed.key} failed: ${failed.error ?? 'unknown error'}` : 'A step failed';
  }

  finish(status: RunStatus, error: string | null) {
    this.setStatus(status);
    this.meta.set('run_error', error);
    this.meta.set('run_finished_at', Date.now());
  }

  skip(keys: string[]) {
    this.commit(
      keys.map((k) => ({ type: 'step.skipped', stepKey: k, payload: { reason: 'not reached' } })),
      () => {
        for (const k of keys) this.steps.set(k, { state: 'skipped', token: null, deadline: null });
      },
    );
  }

  /** New attempts of these steps: a fresh token each, timed out at their deadline. */
  queue(keys: string[], requeued = false) {
    const now = Date.now();
    const rows = keys.map((k) => this.steps.get(k)!);
    this.commit(
      rows.map((r) => ({
        type: 'step.queued',
        stepKey: r.key,
        payload: { attempt: requeued ? r.attempt : r.attempt + 1 },
      })),
      () => {
        for (const r of rows)
          this.steps.set(r.key, {
            state: 'queued',
            attempt: requeued ? r.attempt : r.attempt + 1,
            token: crypto.randomUUID(),
            queued_at: now,
            started_at: null,
            deadline: this.status() === 'running' ? now + this.planStep(r.key)!.timeoutMs : null,
          });
      },
    );
  }

  /** Queued steps get new tokens (their earlier messages are void) and are sent again. */
  requeue(): string[] {
    const keys = this.steps
      .all()
      .filter((r) => r.state === 'queued')
      .map((r) => r.key);
    if (keys.length > 0) this.queue(keys, true);
    return keys;
  }

  /** No new attempt starts; queued ones wait (without a deadline) for the resume. */
  pause() {
    this.setStatus('paused');
    for (const r of this.steps.all()) if (r.state === 'queued') this.steps.set(r.key, { deadline: null });
  }

  applyOutcome(key: string, o: StepOutcome) {
    const now = Date.now();
    const row = this.steps.get(key)!;
    const tokens = {
      input_tokens: row.input_tokens + (o.status !== 'waiting' ? (o.usage?.inputTokens ?? 0) : 0),
      output_tokens: row.output_tokens + (o.status !== 'waiting' ? (o.usage?.outputTokens ?? 0) : 0),
    };
    if (o.status === 'succeeded')
      this.commit(
        [{ type: 'step.succeeded', stepKey: key, payload: { attempt: row.attempt, output: o.output } }],
        () =>
          this.steps.set(key, {
            ...tokens,
            state: 'succeeded',
            output: JSON.stringify(o.output),
            error: null,
            finished_at: now,
            deadline: null,
          }),
      );
    else if (o.status === 'waiting')
      this.commit(
        [{ type: 'step.waiting', stepKey: key, payload: { reason: o.reason, until: o.until } }],
        () =>
          this.steps.set(key, {
            state: 'waiting',
            deadline: o.until,
            wait_outcome: o.onTimeout,
            output: o.output === undefined ? null : JSON.stringify(o.output),
          }),
      );
    else this.failAttempt(row, o.error, o.retryable, tokens);
  }

  /** A failed attempt is retried after a backoff while attempts remain; then the run fails. */
  private failAttempt(row: StepRow, error: string, retryable: boolean, tokens?: Partial<StepRow>) {
    const step = this.planStep(row.key)!;
    const now = Date.now();
    if (retryable && row.attempt < step.maxAttempts) {
      const retryAt = now + backoffDelay(step.backoffMs, step.maxBackoffMs, row.attempt);
      this.commit(
        [
          {
            type: 'step.retrying',
            stepKey: row.key,
            payload: { attempt: row.attempt, error, retry_at: retryAt },
          },
        ],
        () =>
          this.steps.set(row.key, { ...tokens, state: 'retrying', token: null, error, deadline: retryAt }),
      );
      return;
    }
    const rest = this.steps.all().filter((r) => r.key !== row.key && !DONE_STEP_STATES.includes(r.state));
    this.commit(
      [
        { type: 'step.failed', stepKey: row.key, payload: { attempt: row.attempt, error } },
        ...rest.map((r) => ({
          type: 'step.skipped' as const,
          stepKey: r.key,
          payload: { reason: 'run failed' },
        })),
      ],
      () => {
        this.steps.set(row.key, { ...tokens, state: 'failed', error, finished_at: now, deadline: null });
        for (const r of rest) this.steps.set(r.key, { state: 'skipped', token: null, deadline: null });
      },
    );
  }

  fail(key: string, error: string) {
    this.failAttempt(this.steps.get(key)!, error, false);
  }

  dueSteps(now: number) {
    return this.steps.all().filter((r) => r.deadline !== null && r.deadline <= now);
  }

  /** What the alarm does for a step whose deadline passed; returns the keys to send. */
  onDeadline(row: StepRow): string[] {
    if (row.state === 'queued' || row.state === 'running') {
      const timeout = this.planStep(row.key)!.timeoutMs;
      this.failAttempt(row, `The attempt timed out after ${timeout} ms`, true);
    } else if (row.state === 'retrying') {
      this.queue([row.key]);
      return this.status() === 'running' ? [row.key] : [];
    } else if (row.state === 'waiting') {
      this.applyOutcome(
        row.key,
        row.wait_outcome === 'succeed'
          ? { status: 'succeeded', output: parseOutput(row.output) }
          : { status: 'failed', error: 'The wait expired', retryable: false },
      );
    } else this.steps.set(row.key, { deadline: null });
    return [];
  }

  /** Every step still to finish is cancelled, and the run with them. */
  cancel(reason: string) {
    const rest = this.steps.all().filter((r) => !DONE_STEP_STATES.includes(r.state));
    this.commit(
      [
        ...rest.map((r) => ({ type: 'step.cancelled' as const, stepKey: r.key })),
        { type: 'run.cancelled', payload: { reason } },
      ],
      () => {
        for (const r of rest) this.steps.set(r.key, { state: 'cancelled', token: null, deadline: null });
        this.finish('cancelled', reason);
      },
    );
  }

  /** The steps a restart runs again: all that did not succeed, or one failed step and what follows it. */
  resettable(key?: string): string[] | string {
    return restartSteps(this.plan(), this.steps.all(), key);
  }

  reset(keys: string[]) {
    for (const key of keys)
      this.steps.set(key, {
        state: 'pending',
        attempt: 0,
        token: null,
        queued_at: null,
        started_at: null,
        finished_at: null,
        deadline: null,
        wait_outcome: null,
        output: null,
        error: null,
      });
    this.setStatus('running');
    this.meta.set('run_error', null);
    this.meta.set('run_finished_at', null);
  }

  snapshot(latestSeq: number): RunSnapshot {
    return runSnapshot(this.plan(), this.steps.all(), this.meta, latestSeq);
  }
}
