import { orgStreamOf, publishAgentEvents } from '../src/domain/agents/events';
import { promoteQueuedRun, syncRunIndex } from '../src/domain/runs/index-sync';
import type { RunInfo, RunPlan } from '../src/domain/runs/plan';
import {
  type CommandResult,
  type RunEvent,
  type RunSnapshot,
  type StepBegin,
  type StepMessage,
  TERMINAL_RUN_STATUSES,
  type WaitResult,
} from '../src/domain/runs/protocol';
import { RunSteps } from '../src/domain/runs/run-steps';
import type { StepOutcome } from '../src/domain/runs/steps/types';
import type { StreamEvent } from '../src/domain/streams/protocol';
import { EventStream } from './event-stream';
import { OrgRegistration } from './streams/credentials';

/** A run's whole log is kept for replay; past this many events the oldest are dropped (and said so). */
export const RUN_LOG_CAPACITY = 20_000;

/** A failed index write is retried after 1 s, 2 s, 4 s… at most this long apart. */
const INDEX_RETRY_MAX_MS = 60_000;

/**
 * One per pipeline run (named by the run id): the single owner of the run's step states and its
 * ordered event log. Every transition checks the run's status and the step's current attempt
 * token, and writes the new state with its events in one transaction (`RunSteps`); then the steps
 * that became ready are sent to the STEPS queue. A queue message only asks to try an attempt: a
 * redelivered or late one finds another token or state here and changes nothing. One alarm
 * serves every deadline (attempt timeouts, retry backoffs, waits) and the stream's credentials.
 */
export class PipelineRun extends EventStream {
  protected readonly capacity = RUN_LOG_CAPACITY;
  private readonly run: RunSteps;

  constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof EventStream>[1]) {
    super(ctx, env);
    this.run = new RunSteps(
      ctx.storage.sql,
      { get: (k) => this.getMeta(k), set: (k, v) => this.setMeta(k, v) },
      (events, change) => this.commit(events, change),
    );
    this.registration = new OrgRegistration(env, 'pipeline_run', ctx.id);
  }

  /** Records the run and starts it (or leaves it queued); a repeated call changes nothing. */
  async start(info: RunInfo, plan: RunPlan, status: 'running' | 'queued'): Promise<RunSnapshot> {
    if (!this.run.info()) {
      // Its turn may have come before the Worker got here (the run it waited for just ended).
      const begin = status === 'running' || this.getMeta('activated') === 1;
      this.ctx.storage.transactionSync(() => this.run.create(info, plan, 'queued'));
      this.commit([{ type: 'run.created', payload: { status: begin ? 'running' : 'queued' } }]);
      if (begin) await this.begin();
    }
    return this.view();
  }

  /** A queued run's turn has come (the run it waited for finished). */
  async activate(): Promise<boolean> {
    if (!this.run.info()) this.setMeta('activated', 1);
    if (this.run.status() !== 'queued') return false;
    await this.begin();
    return true;
  }

  private async begin() {
    this.commit([{ type: 'run.started' }], () => this.run.setStatus('running'));
    await this.syncIndex();
    await this.advance();
  }

  /** The consumer asks to execute an attempt: null when it is not the current one or may not start. */
  async claim(key: string, token: string): Promise<StepBegin | null> {
    const row = this.run.step(key);
    if (!row || row.token !== token || row.state !== 'queued' || this.run.status() !== 'running') return null;
    const step = this.run.planStep(key)!;
    const now = Date.now();
    this.commit([{ type: 'step.started', stepKey: key, payload: { attempt: row.attempt } }], () =>
      this.run.steps.set(key, { state: 'running', started_at: now, deadline: now + step.timeoutMs }),
    );
    await this.scheduleAlarm();
    return { run: this.run.info()!, step, attempt: row.attempt, token, outputs: this.run.steps.outputs() };
  }

  /** Streamed output of a running attempt; false when the attempt is no longer current. */
  async emit(key: string, token: string, events: RunEvent[]): Promise<boolean> {
    if (!this.isCurrent(key, token, ['running'])) return false;
    this.commit(events.map((e) => ({ ...e, stepKey: key })));
    return true;
  }

  /** The outcome of an attempt; false (and nothing changes) unless it is the current one. */
  async report(key: string, token: string, outcome: StepOutcome): Promise<boolean> {
    if (!this.isCurrent(key, token, ['running'])) return false;
    this.run.applyOutcome(key, outcome);
    await this.advance();
    return true;
  }

  /** Ends a waiting step (an approval given, an external job finished) if the token is current. */
  async resolve(key: string, token: string, result: WaitResult): Promise<boolean> {
    if (!this.isCurrent(key, token, ['waiting'])) return false;
    this.run.applyOutcome(
      key,
      result.ok
        ? { status: 'succeeded', output: result.output }
        : { status: 'failed', error: result.error, retryable: result.retryable ?? false },
    );
    await this.advance();
    return true;
  }

  /** A message the consumer could not process at all: the attempt fails for good if still current. */
  async deadLetter(key: string, token: string, reason: string): Promise<boolean> {
    if (!this.run.info()) return false;
    this.commit([{ type: 'step.dead_lettered', stepKey: key, payload: { reason } }]);
    if (!this.isCurrent(key, token, ['queued', 'running'])) return false;
    this.run.fail(key, reason);
    await this.advance();
    return true;
  }

  private isCurrent(key: string, token: string, states: string[]) {
    const row = this.run.step(key);
    const status = this.run.status();
    return (
      !!row &&
      row.token === token &&
      states.includes(row.state) &&
      !!status &&
      !TERMINAL_RUN_STATUSES.includes(status)
    );
  }

  async cancel(reason: string): Promise<CommandResult> {
    const status = this.run.status();
    if (!status || TERMINAL_RUN_STATUSES.includes(status))
      return { ok: false, reason: `The run is already ${status}` };
    this.run.cancel(reason);
    await this.syncIndex();
    return { ok: true, snapshot: this.view() };
  }

  async pause(): Promise<CommandResult> {
    if (this.run.status() !== 'running')
      return { ok: false, reason: `The run is ${this.run.status()}, not running` };
    this.commit([{ type: 'run.paused' }], () => this.run.pause());
    await this.syncIndex();
    return { ok: true, snapshot: this.view() };
  }

  async resume(): Promise<CommandResult> {
    if (this.run.status() !== 'paused')
      return { ok: false, reason: `The run is ${this.run.status()}, not paused` };
    this.commit([{ type: 'run.resumed' }], () => this.run.setStatus('running'));
    await this.syncIndex();
    await this.send(this.run.requeue());
    await this.advance();
    return { ok: true, snapshot: this.view() };
  }

  /** Runs again every step that did not succeed (all of them, or `key` and what follows it). */
  async restart(key?: string): Promise<CommandResult> {
    const status = this.run.status();
    if (status !== 'failed' && status !== 'cancelled')
      return { ok: false, reason: `The run is ${status}; only a failed or cancelled run can be restarted` };
    const reset = this.run.resettable(key);
    if (typeof reset === 'string') return { ok: false, reason: reset };
    this.commit([{ type: 'run.restarted', payload: { steps: reset } }], () => this.run.reset(reset));
    await this.syncIndex();
    await this.advance();
    return { ok: true, snapshot: this.view() };
  }

  async snapshot(): Promise<RunSnapshot | null> {
    return this.run.info() ? this.view() : null;
  }

  private view() {
    return this.run.snapshot(this.lastSeq);
  }

  /** Skips what can never run, sends what is ready, and finishes the run when nothing can run. */
  private async advance() {
    if (this.run.status() !== 'running') return this.scheduleAlarm();
    for (let skip = this.run.decide().skip; skip.length > 0; skip = this.run.decide().skip)
      this.run.skip(skip);
    const outcome = this.run.outcome();
    if (outcome) {
      const error = outcome === 'failed' ? this.run.failure() : null;
      this.commit([{ type: `run.${outcome}`, payload: error ? { error } : {} }], () =>
        this.run.finish(outcome, error),
      );
      return this.syncIndex();
    }
    const ready = this.run.decide().ready;
    if (ready.length > 0) this.run.queue(ready);
    await this.send(ready);
    await this.scheduleAlarm();
  }

  /**
   * Brings the D1 index row to the run's state. A failed write is retried from the alarm, with
   * backoff, until one lands; once the row says the run ended, the run queued behind it starts.
   */
  private async syncIndex() {
    const info = this.run.info()!;
    const s = this.view();
    try {
      await syncRunIndex(this.env, info, {
        status: s.status,
        error: s.error,
        startedAt: s.started_at,
        finishedAt: s.finished_at,
      });
    } catch (err) {
      const failures = Number(this.getMeta('index_failures') ?? 0) + 1;
      this.setMeta('index_failures', failures);
      console.error(JSON.stringify({ pipeline_run: 'index', run_id: info.runId, failed: String(err) }));
      await this.alarmBy(Date.now() + Math.min(INDEX_RETRY_MAX_MS, 1000 * 2 ** (failures - 1)));
      return;
    }
    this.setMeta('index_failures', 0);
    if (TERMINAL_RUN_STATUSES.includes(s.status)) await promoteQueuedRun(this.env, info);
  }

  /** One message per step to the STEPS queue, carrying the step's current token. */
  private async send(keys: string[]) {
    const info = this.run.info()!;
    const messages = keys.map((key) => {
      const body: StepMessage = {
        v: 1,
        org_id: info.orgId,
        run_id: info.runId,
        step_key: key,
        token: this.run.step(key)!.token!,
      };
      return { body };
    });
    if (messages.length > 0) await this.env.STEPS.sendBatch(messages);
  }

  override async alarm() {
    await super.alarm();
    if (!this.run.info()) return;
    if (Number(this.getMeta('index_failures') ?? 0) > 0) await this.syncIndex();
    const send: string[] = [];
    for (const row of this.run.dueSteps(Date.now())) send.push(...this.run.onDeadline(row));
    await this.send(send);
    await this.advance();
  }

  private async scheduleAlarm() {
    const next = this.run.steps.nextDeadline();
    if (next !== null) await this.alarmBy(next);
  }

  /** Writes state changes and their events in one transaction, then relays the events. */
  private commit(events: RunEvent[], change?: () => void) {
    const info = this.run.info()!;
    const stored = this.append(
      events.map((e) => ({
        type: e.type,
        agent_id: (e.stepKey && this.run.planStep(e.stepKey)?.agentId) || '',
        payload: { run_id: info.runId, ...(e.stepKey ? { step_key: e.stepKey } : {}), ...e.payload },
      })),
      change,
    );
    this.ctx.waitUntil(this.relay(info, stored));
  }

  /** Run and step events also reach the agents' hubs (which relay them on) or the org stream. */
  private async relay(info: RunInfo, events: StreamEvent[]) {
    const byAgent = new Map<string, StreamEvent[]>();
    for (const e of events) byAgent.set(e.agent_id, [...(byAgent.get(e.agent_id) ?? []), e]);
    try {
      for (const [agentId, list] of byAgent) {
        if (agentId)
          await publishAgentEvents(
            this.env,
            { orgId: info.orgId, agentId },
            list.map((e) => ({ type: e.type, payload: e.payload })),
          );
        else await orgStreamOf(this.env, info.orgId).ingest(info.runId, list);
      }
    } catch (err) {
      console.error(JSON.stringify({ pipeline_run: 'relay', run_id: info.runId, failed: String(err) }));
    }
  }
}
