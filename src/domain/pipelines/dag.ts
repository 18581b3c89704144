import { ApiError, conflict, type FieldError } from '../../lib/errors';
import { executionLevels, findCycle } from '../work/graph';
import type { EdgeCondition, EdgeDef, Snapshot } from './snapshot';

/**
 * Pure graph logic of a pipeline version: validation, order, and which steps can start or will
 * never run. An edge `from → to` means `to` runs after `from`, on `from`'s output.
 *
 * Fan-in is an AND: a step runs when every parent succeeded and every incoming edge's condition
 * holds on that parent's output. When a parent is skipped or a condition does not hold, the step
 * is skipped, and so are the steps that depend on it.
 */

/** What the engine knows of a step; steps missing from the map are `pending`. */
export interface StepProgress {
  /** `succeeded` and `skipped` settle a step; any other status (running, failed, …) does not. */
  status: string;
  output?: unknown;
}
export type StepStates = ReadonlyMap<string, StepProgress> | Readonly<Record<string, StepProgress>>;

const progressOf = (states: StepStates, key: string): StepProgress | undefined =>
  states instanceof Map ? states.get(key) : (states as Record<string, StepProgress>)[key];

/** As ticket dependencies: `to` depends on `from`. */
const asDependencies = (edges: readonly EdgeDef[]) =>
  edges.map((e) => ({ ticketId: e.to, dependsOnId: e.from }));

/**
 * Refuses a graph that cannot run: duplicate step keys, edges naming unknown steps or repeated
 * (422, per field), and cycles (409 naming the steps around it, in edge order).
 */
export function validateGraph(snapshot: Snapshot): void {
  const errors: FieldError[] = [];
  const keys = new Set<string>();
  snapshot.steps.forEach((s, i) => {
    if (keys.has(s.key))
      errors.push({ path: `steps.${i}.key`, message: `Another step already has key "${s.key}"` });
    keys.add(s.key);
  });
  const pairs = new Set<string>();
  snapshot.edges.forEach((e, i) => {
    for (const end of ['from', 'to'] as const)
      if (!keys.has(e[end]))
        errors.push({ path: `edges.${i}.${end}`, message: `No step has key "${e[end]}"` });
    const pair = `${e.from}\u0000${e.to}`;
    if (pairs.has(pair))
      errors.push({ path: `edges.${i}`, message: `The edge ${e.from} → ${e.to} is already there` });
    pairs.add(pair);
  });
  if (errors.length > 0) throw new ApiError('validation', errors[0]!.message, { errors });
  const cycle = findCycle(asDependencies(snapshot.edges));
  // findCycle walks dependencies (to → from); reversed, the chain reads in edge direction.
  if (cycle) throw conflict(`The edges form a cycle: ${cycle.reverse().join(' → ')}`);
}

/** Step keys in an order where every step comes after its parents (steps order breaks ties). */
export function topologicalOrder(snapshot: Snapshot): string[] {
  const levels = executionLevels(
    snapshot.steps.map((s) => s.key),
    asDependencies(snapshot.edges),
  );
  if (!levels) throw conflict('The pipeline graph has a cycle');
  return levels.flat();
}

/** The value at a dot path; a string that holds JSON is read as that JSON. */
function valueAt(output: unknown, path: string | undefined): unknown {
  let value = output;
  for (const part of path ? path.split('.') : []) {
    if (typeof value === 'string') value = parseJson(value);
    if (typeof value !== 'object' || value === null) return undefined;
    value = Array.isArray(value) ? value[Number(part)] : (value as Record<string, unknown>)[part];
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const sameJson = (a: unknown, b: unknown) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Whether an edge's condition holds on the parent's output (no condition always holds). */
export function conditionHolds(condition: EdgeCondition | null | undefined, output: unknown): boolean {
  if (!condition) return true;
  const value = valueAt(output, condition.path);
  if (condition.exists !== undefined) return (value !== undefined && value !== null) === condition.exists;
  if ('equals' in condition) return sameJson(value, condition.equals);
  if ('not_equals' in condition) return !sameJson(value, condition.not_equals);
  const needle = condition.contains;
  if (typeof value === 'string') return typeof needle === 'string' && value.includes(needle);
  if (Array.isArray(value)) return value.some((item) => sameJson(item, needle));
  return false;
}

type Verdict = 'run' | 'skip' | 'wait';

/**
 * Ready steps (pending, every parent succeeded, every condition holds) and the pending steps that
 * can never run, transitively (a parent skipped or a condition false, or a parent so decided).
 */
export function nextSteps(snapshot: Snapshot, states: StepStates): { ready: string[]; skipped: string[] } {
  const parents = new Map<string, EdgeDef[]>(snapshot.steps.map((s) => [s.key, []]));
  for (const e of snapshot.edges) parents.get(e.to)?.push(e);
  const skipped = new Set<string>();
  const ready: string[] = [];
  const status = (key: string) =>
    skipped.has(key) ? 'skipped' : (progressOf(states, key)?.status ?? 'pending');

  const verdict = (key: string): Verdict => {
    let outcome: Verdict = 'run';
    for (const edge of parents.get(key) ?? []) {
      const s = status(edge.from);
      if (s === 'skipped') return 'skip';
      if (s !== 'succeeded') outcome = 'wait';
      else if (!conditionHolds(edge.condition, progressOf(states, edge.from)?.output)) return 'skip';
    }
    return outcome;
  };

  // In topological order, so a skip decided here is seen by the steps that depend on it.
  for (const key of topologicalOrder(snapshot)) {
    if (status(key) !== 'pending') continue;
    const v = verdict(key);
    if (v === 'skip') skipped.add(key);
    else if (v === 'run') ready.push(key);
  }
  return { ready, skipped: [...skipped] };
}

/** The steps that can start now. */
export const readySteps = (snapshot: Snapshot, states: StepStates) => nextSteps(snapshot, states).ready;

/** The pending steps that will never run given what has settled. */
export const unreachableSteps = (snapshot: Snapshot, states: StepStates) =>
  nextSteps(snapshot, states).skipped;
