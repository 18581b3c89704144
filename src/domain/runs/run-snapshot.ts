import type { RunPlan } from './plan';
import type { RunSnapshot, RunStatus } from './protocol';
import type { Meta } from './run-steps';
import { parseOutput, type StepRow } from './step-store';

/** The run as readers see it: its status and times (from the object's meta) and each step's state. */
export function runSnapshot(plan: RunPlan, stepRows: StepRow[], meta: Meta, latestSeq: number): RunSnapshot {
  const rows = new Map(stepRows.map((r) => [r.key, r]));
  const num = (k: string) => {
    const v = meta.get(k);
    return typeof v === 'number' ? v : null;
  };
  return {
    status: meta.get('run_status') as RunStatus,
    error: (meta.get('run_error') as string | null | undefined) ?? null,
    started_at: num('run_started_at'),
    finished_at: num('run_finished_at'),
    latest_seq: latestSeq,
    steps: plan.steps.map((s) => {
      const r = rows.get(s.key)!;
      return {
        key: s.key,
        name: s.name,
        kind: s.kind,
        agent_id: s.kind === 'agent' ? s.config.agent_id : null,
        state: r.state,
        attempt: r.attempt,
        max_attempts: s.retry.max_attempts,
        queued_at: r.queued_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        output: r.state === 'succeeded' ? parseOutput(r.output) : null,
        error: r.error,
        input_tokens: r.input_tokens,
        output_tokens: r.output_tokens,
      };
    }),
  };
}
