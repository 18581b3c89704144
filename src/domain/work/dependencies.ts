import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { projects, ticketDependencies, tickets } from '../../db/schema';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertPerRow } from '../activity/record';
import { tryCommit } from '../commit';
import type { OrgCtx } from '../context';
import { cycleIfAdded, type Edge, executionLevels, findCycle } from './graph';
import { getProject } from './projects';
import { getTicket } from './tickets';

/** Most edges one bulk request may add. */
export const MAX_BULK_DEPENDENCIES = 1000;

/** Attempts at a dependency write that raced with another one in the same project. */
const ATTEMPTS = 3;

const cycleProblem = (cycle: string[]) =>
  conflict(`This dependency would create a cycle: ${cycle.join(' → ')}`);

export async function projectEdges(db: Db, projectId: string): Promise<Edge[]> {
  return db
    .select({ ticketId: ticketDependencies.ticketId, dependsOnId: ticketDependencies.dependsOnId })
    .from(ticketDependencies)
    .where(eq(ticketDependencies.projectId, projectId));
}

/**
 * Adds edges to a project's graph, all or none. The cycle check runs on the graph at one
 * revision; the write bumps the revision and lands only if it was still that one, and every
 * edge's tickets must still exist, so concurrent writers can never close a cycle together.
 */
export async function addDependencies(ctx: OrgCtx, projectId: string, edges: Edge[]) {
  const { orgId } = ctx;
  for (let attempt = 1; ; attempt++) {
    const project = await getProject(ctx.db, orgId, projectId);
    const existing = await projectEdges(ctx.db, projectId);
    const present = new Set(existing.map((e) => `${e.ticketId}>${e.dependsOnId}`));
    for (const e of edges)
      if (present.has(`${e.ticketId}>${e.dependsOnId}`))
        throw conflict(`${e.ticketId} already depends on ${e.dependsOnId}`);
    const cycle = edges.length === 1 ? cycleIfAdded(existing, edges[0]!) : findCycle([...existing, ...edges]);
    if (cycle) throw cycleProblem(cycle);

    const rev = newId('rev');
    const now = Date.now();
    const json = JSON.stringify(edges.map((e) => [e.ticketId, e.dependsOnId]));
    // A NULL (ticket gone, or another writer changed the graph) fails NOT NULL and the batch.
    const insert = ctx.db.insert(ticketDependencies).select(sql`
      SELECT
        (SELECT t.id FROM tickets t WHERE t.id = json_extract(j.value, '$[0]') AND t.project_id = ${projectId}
          AND EXISTS (SELECT 1 FROM ${projects} p WHERE p.id = ${projectId} AND p.graph_rev = ${rev})),
        (SELECT t.id FROM tickets t WHERE t.id = json_extract(j.value, '$[1]') AND t.project_id = ${projectId}),
        ${orgId}, ${projectId}, ${ctx.actor.id}, ${now}
      FROM json_each(${json}) j`);
    const activity = activityInsertPerRow(
      ctx,
      {
        action: 'ticket.dependency_added',
        entityType: 'ticket',
        orgId: sql`${orgId}`,
        entityId: sql`json_extract(j.value, '$[0]')`,
        metadata: sql`json_object('depends_on_id', json_extract(j.value, '$[1]'), 'project_id', ${projectId})`,
      },
      sql`json_each(${json}) j`,
    );
    // Any constraint failure means the graph or its tickets changed since they were read: look again.
    const outcome = await tryCommit(ctx.db, [
      ctx.db
        .update(projects)
        .set({ graphRev: rev })
        .where(and(eq(projects.id, projectId), eq(projects.graphRev, project.graphRev))),
      insert,
      activity,
    ]);
    if (outcome.ok) return;
    if (attempt >= ATTEMPTS) throw conflict('The dependency graph kept changing meanwhile; try again');
  }
}

/** One dependency: `ticketId` waits for `dependsOnId`; both in one project. */
export async function addDependency(ctx: OrgCtx, ticketId: string, dependsOnId: string) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, ticketId);
  const other = await getTicket(ctx.db, orgId, dependsOnId).catch(() => undefined);
  if (!other || other.projectId !== ticket.projectId) {
    const message = `Ticket ${dependsOnId} does not exist in this ticket's project`;
    throw new ApiError('validation', message, { errors: [{ path: 'depends_on_id', message }] });
  }
  await addDependencies(ctx, ticket.projectId, [{ ticketId, dependsOnId }]);
  return { ticketId, dependsOnId, projectId: ticket.projectId };
}

/** Adds many edges between existing tickets of one project, all or none. */
export async function addDependenciesBulk(ctx: OrgCtx, projectId: string, edges: Edge[]) {
  const { orgId } = ctx;
  await getProject(ctx.db, orgId, projectId);
  const ids = [...new Set(edges.flatMap((e) => [e.ticketId, e.dependsOnId]))];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const rows = await ctx.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(eq(tickets.projectId, projectId), inArray(tickets.id, chunk)));
    for (const r of rows) known.add(r.id);
  }
  const errors = edges.flatMap((e, i) => [
    ...(known.has(e.ticketId)
      ? []
      : [{ path: `edges.${i}.ticket_id`, message: `No ticket ${e.ticketId} in this project` }]),
    ...(known.has(e.dependsOnId)
      ? []
      : [{ path: `edges.${i}.depends_on_id`, message: `No ticket ${e.dependsOnId} in this project` }]),
  ]);
  const seen = new Set<string>();
  edges.forEach((e, i) => {
    const k = `${e.ticketId}>${e.dependsOnId}`;
    if (seen.has(k)) errors.push({ path: `edges.${i}`, message: 'This edge appears twice in the request' });
    seen.add(k);
  });
  if (errors.length > 0)
    throw new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  await addDependencies(ctx, projectId, edges);
}

export async function removeDependency(ctx: OrgCtx, ticketId: string, dependsOnId: string) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, ticketId);
  const where = and(
    eq(ticketDependencies.ticketId, ticketId),
    eq(ticketDependencies.dependsOnId, dependsOnId),
  );
  const [found] = await ctx.db.select().from(ticketDependencies).where(where).limit(1);
  if (!found) throw notFound('Dependency');
  await ctx.db.batch([
    activityInsert(ctx, {
      orgId,
      action: 'ticket.dependency_removed',
      entityType: 'ticket',
      entityId: ticketId,
      metadata: { depends_on_id: dependsOnId, project_id: ticket.projectId },
    }),
    ctx.db.delete(ticketDependencies).where(where),
  ]);
}

/** What the ticket waits for and what waits for it, with each other ticket's status. */
export async function ticketDependencyLists(db: Db, orgId: string, ticketId: string) {
  await getTicket(db, orgId, ticketId);
  const summary = {
    id: tickets.id,
    title: tickets.title,
    status: tickets.status,
    priority: tickets.priority,
  };
  const [dependsOn, blocking] = await db.batch([
    db
      .select(summary)
      .from(ticketDependencies)
      .innerJoin(tickets, eq(tickets.id, ticketDependencies.dependsOnId))
      .where(eq(ticketDependencies.ticketId, ticketId))
      .orderBy(tickets.id),
    db
      .select(summary)
      .from(ticketDependencies)
      .innerJoin(tickets, eq(tickets.id, ticketDependencies.ticketId))
      .where(eq(ticketDependencies.dependsOnId, ticketId))
      .orderBy(tickets.id),
  ]);
  return { dependsOn, blocking };
}

/** Every ticket of the project (subtasks included) with the fields a graph needs, and its edges. */
async function projectGraphData(db: Db, orgId: string, projectId: string) {
  await getProject(db, orgId, projectId);
  const [nodes, edges] = await db.batch([
    db
      .select({
        id: tickets.id,
        title: tickets.title,
        status: tickets.status,
        priority: tickets.priority,
        parentId: tickets.parentId,
        assigneeType: tickets.assigneeType,
        assigneeId: tickets.assigneeId,
      })
      .from(tickets)
      .where(eq(tickets.projectId, projectId))
      .orderBy(tickets.priority, tickets.id),
    db
      .select({ ticketId: ticketDependencies.ticketId, dependsOnId: ticketDependencies.dependsOnId })
      .from(ticketDependencies)
      .where(eq(ticketDependencies.projectId, projectId)),
  ]);
  const levels = executionLevels(
    nodes.map((n) => n.id),
    edges,
  );
  if (!levels) throw conflict(`The project's dependencies contain a cycle: ${findCycle(edges)?.join(' → ')}`);
  return { nodes, edges, levels };
}

export type GraphNode = Awaited<ReturnType<typeof projectGraphData>>['nodes'][number];

/** Nodes (with their execution level) and edges from prerequisite to dependent. */
export async function dependencyGraph(db: Db, orgId: string, projectId: string) {
  const { nodes, edges, levels } = await projectGraphData(db, orgId, projectId);
  const levelOf = new Map<string, number>();
  levels.forEach((ids, level) => {
    for (const id of ids) levelOf.set(id, level);
  });
  return { nodes: nodes.map((n) => ({ ...n, level: levelOf.get(n.id) ?? 0 })), edges };
}

/** A topological order in levels: each level's tickets can run in parallel once earlier ones are done. */
export async function executionOrder(db: Db, orgId: string, projectId: string) {
  const { nodes, levels } = await projectGraphData(db, orgId, projectId);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return levels.map((ids) => ids.map((id) => byId.get(id)!));
}
