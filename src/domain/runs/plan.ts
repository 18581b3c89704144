import type { JsonObject, JsonValue } from '../../lib/json-value';
import type { Snapshot, StepDef } from '../pipelines/snapshot';

/** What a run executes: the pipeline version's snapshot, frozen when the run starts. */
export type RunPlan = Snapshot;

/** One step as the run's object and the executors use it. */
export interface PlanStep {
  key: string;
  name: string;
  kind: StepDef['kind'];
  config: JsonObject;
  /** The agent an `agent` step runs as (null for other kinds). */
  agentId: string | null;
  maxAttempts: number;
  /** The first retry's delay; each further retry doubles it (with jitter), up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How long one attempt may run before it counts as lost and is retried. */
  timeoutMs: number;
}

export function planStep(def: StepDef): PlanStep {
  return {
    key: def.key,
    name: def.name,
    kind: def.kind,
    // Validated by the snapshot schema; JSON all the way down.
    config: def.config as unknown as JsonObject,
    agentId: def.kind === 'agent' ? def.config.agent_id : null,
    maxAttempts: def.retry.max_attempts,
    backoffMs: def.retry.backoff_ms,
    maxBackoffMs: def.retry.max_backoff_ms,
    timeoutMs: def.timeout_ms,
  };
}

/** The agents a plan's steps run as (agent steps; council members are resolved when it runs). */
export const planAgents = (plan: RunPlan) => [
  ...new Set(plan.steps.flatMap((s) => (s.kind === 'agent' ? [s.config.agent_id] : []))),
];

/** What a run is about, as every step of it sees it. */
export interface RunInfo {
  runId: string;
  orgId: string;
  pipelineId: string;
  versionId: string;
  projectId: string | null;
  ticketId: string | null;
  input: JsonValue;
  /** The user or API key that started the run. */
  createdBy: string;
}
