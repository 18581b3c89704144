/**
 * Pure dependency-graph logic: cycle detection and execution levels. An edge says `ticketId`
 * depends on `dependsOnId`, so `dependsOnId` must be done first.
 */
export interface Edge {
  ticketId: string;
  dependsOnId: string;
}

/** ticket → the tickets it depends on. */
function dependenciesOf(edges: Iterable<Edge>) {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.ticketId);
    if (list) list.push(e.dependsOnId);
    else out.set(e.ticketId, [e.dependsOnId]);
  }
  return out;
}

/** The chain of dependencies from `from` to `to` (both included), or null if there is none. */
function dependencyPath(deps: Map<string, string[]>, from: string, to: string): string[] | null {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === to) {
      const path: string[] = [];
      for (let n: string | null = node; n !== null; n = cameFrom.get(n) ?? null) path.push(n);
      return path.reverse();
    }
    for (const next of deps.get(node) ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * The cycle that adding `edge` to `edges` would close, as the chain of tickets from the
 * dependent back to itself (e.g. [a, b, c, a]: a depends on b, b on c, c on a); null if none.
 */
export function cycleIfAdded(edges: Iterable<Edge>, edge: Edge): string[] | null {
  if (edge.ticketId === edge.dependsOnId) return [edge.ticketId, edge.ticketId];
  const path = dependencyPath(dependenciesOf(edges), edge.dependsOnId, edge.ticketId);
  return path ? [edge.ticketId, ...path] : null;
}

/** Some cycle of the graph as a closed chain (first = last), or null if it is acyclic. */
export function findCycle(edges: Iterable<Edge>): string[] | null {
  const deps = dependenciesOf(edges);
  const state = new Map<string, 'open' | 'closed'>();
  for (const start of deps.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: the stack holds the current chain and each node's next child to visit.
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = deps.get(top.node) ?? [];
      if (top.next >= children.length) {
        state.set(top.node, 'closed');
        stack.pop();
        continue;
      }
      const child = children[top.next++]!;
      const s = state.get(child);
      if (s === 'open') {
        const chain = stack.map((f) => f.node);
        return [...chain.slice(chain.indexOf(child)), child];
      }
      if (s === undefined) {
        state.set(child, 'open');
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return null;
}

/**
 * Groups tickets into levels that can run in parallel: level 0 depends on nothing, and each
 * ticket sits one level above the highest of its dependencies (the lowest level it can be in).
 * Within a level, tickets keep the order of `nodes`. Edges to unknown tickets are ignored.
 * Returns null if the graph has a cycle.
 */
export function executionLevels(nodes: readonly string[], edges: Iterable<Edge>): string[][] | null {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    index.set(n, i);
  });
  const dependents: number[][] = nodes.map(() => []);
  const waitingOn = new Int32Array(nodes.length);
  for (const e of edges) {
    const t = index.get(e.ticketId);
    const d = index.get(e.dependsOnId);
    if (t === undefined || d === undefined) continue;
    dependents[d]!.push(t);
    waitingOn[t]!++;
  }
  let frontier: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (waitingOn[i] === 0) frontier.push(i);
  const levels: string[][] = [];
  let placed = 0;
  while (frontier.length > 0) {
    frontier.sort((a, b) => a - b);
    levels.push(frontier.map((i) => nodes[i]!));
    placed += frontier.length;
    const next: number[] = [];
    for (const i of frontier) for (const t of dependents[i]!) if (--waitingOn[t]! === 0) next.push(t);
    frontier = next;
  }
  return placed === nodes.length ? levels : null;
}
