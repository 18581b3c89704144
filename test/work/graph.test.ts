import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cycleIfAdded, type Edge, executionLevels, findCycle } from '../../src/domain/work/graph';

const e = (ticketId: string, dependsOnId: string): Edge => ({ ticketId, dependsOnId });

/** Random DAGs: edges only go from a later node to an earlier one, so none closes a cycle. */
const dag = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    nodes: fc.constant(Array.from({ length: n }, (_, i) => `t${i}`)),
    edges:
      n < 2
        ? fc.constant<Edge[]>([])
        : fc.uniqueArray(
            fc
              .integer({ min: 1, max: n - 1 })
              .chain((a) => fc.integer({ min: 0, max: a - 1 }).map((b) => e(`t${a}`, `t${b}`))),
            { selector: (x) => `${x.ticketId}>${x.dependsOnId}`, maxLength: 120 },
          ),
  }),
);

describe('cycle detection', () => {
  it('names the cycle a new edge would close, from the dependent back to itself', () => {
    const edges = [e('b', 'c'), e('c', 'a')];
    expect(cycleIfAdded(edges, e('a', 'b'))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('refuses a ticket depending on itself', () => {
    expect(cycleIfAdded([], e('a', 'a'))).toEqual(['a', 'a']);
  });

  it('finds a cycle of 500 tickets closed by its last edge', () => {
    const chain = Array.from({ length: 499 }, (_, i) => e(`t${i + 1}`, `t${i}`));
    const cycle = cycleIfAdded(chain, e('t0', 't499'));
    expect(cycle).toHaveLength(501);
    expect(cycle?.[0]).toBe('t0');
    expect(cycle?.at(-1)).toBe('t0');
  });

  it('accepts diamonds, which are not cycles', () => {
    const edges = [e('d', 'b'), e('d', 'c'), e('b', 'a'), e('c', 'a')];
    expect(findCycle(edges)).toBeNull();
    expect(cycleIfAdded(edges, e('e', 'd'))).toBeNull();
  });

  it('finds a cycle hidden in a larger graph and returns a closed chain of real edges', () => {
    const edges = [e('a', 'b'), e('b', 'c'), e('x', 'y'), e('c', 'd'), e('d', 'b')];
    const cycle = findCycle(edges)!;
    expect(cycle[0]).toBe(cycle.at(-1));
    for (let i = 0; i + 1 < cycle.length; i++) expect(edges).toContainEqual(e(cycle[i]!, cycle[i + 1]!));
  });

  it('never reports a cycle in a random DAG, and always reports one when an edge closes a path', () => {
    fc.assert(
      fc.property(dag, ({ edges }) => {
        expect(findCycle(edges)).toBeNull();
        for (const edge of edges) {
          // The reverse of any existing edge closes a cycle through that edge.
          const cycle = cycleIfAdded(edges, e(edge.dependsOnId, edge.ticketId));
          expect(cycle).not.toBeNull();
          expect(cycle![0]).toBe(cycle!.at(-1));
        }
      }),
    );
  });
});

describe('execution levels', () => {
  it('respects every edge and keeps every level as low as it can be', () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        const levels = executionLevels(nodes, edges)!;
        expect(levels).not.toBeNull();
        const levelOf = new Map<string, number>();
        levels.forEach((ids, l) => {
          for (const id of ids) levelOf.set(id, l);
        });
        // Every ticket appears exactly once.
        expect(levels.flat().sort()).toEqual([...nodes].sort());
        // Every edge: the dependency runs at a strictly earlier level.
        for (const x of edges) expect(levelOf.get(x.dependsOnId)!).toBeLessThan(levelOf.get(x.ticketId)!);
        // Minimal: level 0 has no dependencies; any other ticket has one exactly a level below.
        for (const id of nodes) {
          const deps = edges.filter((x) => x.ticketId === id).map((x) => levelOf.get(x.dependsOnId)!);
          expect(levelOf.get(id)).toBe(deps.length === 0 ? 0 : Math.max(...deps) + 1);
        }
      }),
    );
  });

  it('keeps the given order within a level', () => {
    expect(executionLevels(['c', 'a', 'b'], [e('b', 'c')])).toEqual([['c', 'a'], ['b']]);
  });

  it('gives null for a cyclic graph', () => {
    expect(executionLevels(['a', 'b'], [e('a', 'b'), e('b', 'a')])).toBeNull();
  });
});
