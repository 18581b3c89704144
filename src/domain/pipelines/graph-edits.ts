import { fieldName } from '../../http/validation-messages';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { type EdgeCondition, type EdgeDef, type Snapshot, type StepDef, StepDefSchema } from './snapshot';

/**
 * Edits of a graph, each returning the next snapshot (the version it came from is never changed).
 * Whole-graph validation (dangling edges, cycles) happens when the result is committed.
 */

/** What a step change may carry: `config` replaces the old one, `retry` merges field by field. */
export interface StepPatch {
  name?: string;
  kind?: StepDef['kind'];
  config?: Record<string, unknown>;
  retry?: Partial<StepDef['retry']>;
  timeout_ms?: number;
}

/** A step as the schema reads it (defaults filled), or a 422 naming the fields at fault. */
export function parseStep(value: unknown): StepDef {
  const parsed = StepDefSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ path: fieldName(i.path), message: i.message }));
  throw new ApiError('validation', errors.map((e) => e.message).join('; '), { errors });
}

const stepIndex = (snapshot: Snapshot, key: string) => {
  const i = snapshot.steps.findIndex((s) => s.key === key);
  if (i < 0) throw notFound('Step');
  return i;
};

const edgeIndex = (snapshot: Snapshot, from: string, to: string) => {
  const i = snapshot.edges.findIndex((e) => e.from === from && e.to === to);
  if (i < 0) throw notFound('Edge');
  return i;
};

export function addStep(snapshot: Snapshot, step: StepDef): Snapshot {
  if (snapshot.steps.some((s) => s.key === step.key))
    throw conflict(`A step with key "${step.key}" is already there`);
  return { ...snapshot, steps: [...snapshot.steps, step] };
}

/** The key never changes: edges and run histories refer to it. */
export function updateStep(snapshot: Snapshot, key: string, patch: StepPatch): Snapshot {
  const i = stepIndex(snapshot, key);
  const current = snapshot.steps[i]!;
  if (patch.kind && patch.kind !== current.kind && !patch.config)
    throw new ApiError('validation', 'config is required when kind changes', {
      errors: [{ path: 'config', message: `config is required for a ${patch.kind} step` }],
    });
  const next = parseStep({
    key,
    name: patch.name ?? current.name,
    kind: patch.kind ?? current.kind,
    config: patch.config ?? current.config,
    retry: { ...current.retry, ...patch.retry },
    timeout_ms: patch.timeout_ms ?? current.timeout_ms,
  });
  return { ...snapshot, steps: snapshot.steps.map((s, j) => (j === i ? next : s)) };
}

/** Removes the step and every edge into or out of it. */
export function removeStep(snapshot: Snapshot, key: string): Snapshot {
  stepIndex(snapshot, key);
  return {
    steps: snapshot.steps.filter((s) => s.key !== key),
    edges: snapshot.edges.filter((e) => e.from !== key && e.to !== key),
  };
}

export function addEdge(snapshot: Snapshot, edge: EdgeDef): Snapshot {
  if (snapshot.edges.some((e) => e.from === edge.from && e.to === edge.to))
    throw conflict(`The edge ${edge.from} → ${edge.to} is already there`);
  return { ...snapshot, edges: [...snapshot.edges, edge] };
}

/** Sets or (with null) removes the edge's condition. */
export function updateEdge(
  snapshot: Snapshot,
  from: string,
  to: string,
  condition: EdgeCondition | null,
): Snapshot {
  const i = edgeIndex(snapshot, from, to);
  const { condition: _old, ...rest } = snapshot.edges[i]!;
  const next: EdgeDef = condition ? { ...rest, condition } : rest;
  return { ...snapshot, edges: snapshot.edges.map((e, j) => (j === i ? next : e)) };
}

export function removeEdge(snapshot: Snapshot, from: string, to: string): Snapshot {
  const i = edgeIndex(snapshot, from, to);
  return { ...snapshot, edges: snapshot.edges.filter((_, j) => j !== i) };
}
