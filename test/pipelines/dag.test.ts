import { describe, expect, it } from 'vitest';
import {
  conditionHolds,
  nextSteps,
  readySteps,
  topologicalOrder,
  unreachableSteps,
  validateGraph,
} from '../../src/domain/pipelines/dag';
import { type EdgeDef, type Snapshot, SnapshotSchema } from '../../src/domain/pipelines/snapshot';
import { ApiError } from '../../src/lib/errors';

const step = (key: string) => ({ key, name: key, kind: 'transform', config: { template: key } });
const graph = (keys: string[], edges: EdgeDef[]): Snapshot =>
  SnapshotSchema.parse({ steps: keys.map(step), edges });
const edge = (from: string, to: string, condition?: EdgeDef['condition']): EdgeDef => ({
  from,
  to,
  condition,
});
const done = (output: unknown = 'ok') => ({ status: 'succeeded', output });

function refusal(fn: () => void): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('pipeline graph', () => {
  const diamond = graph(
    ['a', 'b', 'c', 'd'],
    [edge('a', 'b'), edge('a', 'c'), edge('b', 'd'), edge('c', 'd')],
  );

  it('runs a diamond: the root, then both branches, then the join once both succeeded', () => {
    expect(readySteps(diamond, {})).toEqual(['a']);
    expect(readySteps(diamond, { a: { status: 'running' } })).toEqual([]);
    expect(readySteps(diamond, { a: done() })).toEqual(['b', 'c']);
    expect(readySteps(diamond, { a: done(), b: done(), c: { status: 'running' } })).toEqual([]);
    expect(readySteps(diamond, { a: done(), b: done(), c: done() })).toEqual(['d']);
    expect(topologicalOrder(diamond)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fans out to 10 steps and back in to one', () => {
    const leaves = Array.from({ length: 10 }, (_, i) => `leaf${i}`);
    const fan = graph(
      ['root', ...leaves, 'join'],
      [...leaves.map((l) => edge('root', l)), ...leaves.map((l) => edge(l, 'join'))],
    );
    expect(readySteps(fan, new Map([['root', done()]]))).toEqual(leaves);
    const nineDone = Object.fromEntries([['root', done()], ...leaves.slice(0, 9).map((l) => [l, done()])]);
    expect(readySteps(fan, nineDone)).toEqual(['leaf9']);
    expect(readySteps(fan, { ...nineDone, leaf9: done() })).toEqual(['join']);
  });

  it('takes a condition edge only when it holds and skips the branch (and what follows) otherwise', () => {
    const g = graph(
      ['review', 'ship', 'fix', 'notify'],
      [
        edge('review', 'ship', { path: 'verdict', equals: 'approve' }),
        edge('review', 'fix', { path: 'verdict', not_equals: 'approve' }),
        edge('fix', 'notify'),
      ],
    );
    const approved = { review: done('{"verdict":"approve"}') };
    expect(nextSteps(g, approved)).toEqual({ ready: ['ship'], skipped: ['fix', 'notify'] });
    const rejected = { review: done({ verdict: 'rework' }) };
    expect(nextSteps(g, rejected)).toEqual({ ready: ['fix'], skipped: ['ship'] });
    expect(unreachableSteps(g, { review: { status: 'running' } })).toEqual([]);
  });

  it('evaluates contains and exists on text, arrays and missing values', () => {
    expect(conditionHolds({ contains: 'LGTM' }, 'Looks fine. LGTM')).toBe(true);
    expect(conditionHolds({ path: 'labels', contains: 'bug' }, { labels: ['bug', 'ui'] })).toBe(true);
    expect(conditionHolds({ path: 'labels', contains: 'ops' }, { labels: ['bug'] })).toBe(false);
    expect(conditionHolds({ path: 'a.b', exists: true }, { a: { b: 0 } })).toBe(true);
    expect(conditionHolds({ path: 'a.c', exists: false }, { a: { b: 0 } })).toBe(true);
    expect(conditionHolds({ path: 'a.b', equals: 1 }, 'not json')).toBe(false);
    expect(conditionHolds(undefined, null)).toBe(true);
  });

  it('a join with a skipped parent is skipped: fan-in needs every parent', () => {
    const g = graph(['a', 'b', 'c'], [edge('a', 'c', { exists: true, path: 'go' }), edge('b', 'c')]);
    expect(nextSteps(g, { a: done({}), b: done() })).toEqual({ ready: [], skipped: ['c'] });
  });

  it('refuses a cycle with a conflict naming its steps in edge order', () => {
    const err = refusal(() =>
      validateGraph(
        graph(['a', 'b', 'c', 'd'], [edge('a', 'b'), edge('b', 'c'), edge('c', 'd'), edge('d', 'b')]),
      ),
    );
    expect(err.status).toBe(409);
    expect(err.message).toBe('The edges form a cycle: b → c → d → b');
    expect(refusal(() => validateGraph(graph(['a'], [edge('a', 'a')]))).message).toContain('a → a');
  });

  it('refuses dangling and repeated edges and duplicate keys as validation failures', () => {
    const err = refusal(() =>
      validateGraph(graph(['a', 'a'], [edge('a', 'ghost'), edge('a', 'a'), edge('a', 'a')])),
    );
    expect(err.status).toBe(422);
    expect(err.errors?.map((e) => e.path)).toEqual(['steps.1.key', 'edges.0.to', 'edges.2']);
  });

  it('refuses an unknown step kind when parsing the graph', () => {
    const parsed = SnapshotSchema.safeParse({
      steps: [{ key: 'a', name: 'A', kind: 'teleport', config: {} }],
      edges: [],
    });
    expect(parsed.success).toBe(false);
  });

  it('fills retry and timeout defaults', () => {
    expect(graph(['a'], []).steps[0]).toMatchObject({
      retry: { max_attempts: 3, backoff_ms: 1000, max_backoff_ms: 60_000 },
      timeout_ms: 300_000,
    });
  });
});
