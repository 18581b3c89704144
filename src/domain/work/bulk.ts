import { and, eq, inArray, sql } from 'drizzle-orm';
import { projects, ticketDependencies, tickets } from '../../db/schema';
import { ApiError, type FieldError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsertPerRow } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { assertAssignable } from './assignees';
import { findCycle } from './graph';
import { POSITION_STEP, type TicketFields, type TicketRow, targetProject, ticketSelection } from './tickets';

/** Most tickets one bulk request may create. */
export const MAX_BULK_TICKETS = 500;

export interface BulkTicket extends TicketFields {
  /** A client-side name other items of the batch use to refer to this one. */
  ref?: string;
  /** A ref in the batch or the id of an existing top-level ticket of the project. */
  parent?: string;
  /** Refs in the batch or ids of existing tickets of the project. */
  dependsOn?: string[];
}

/** Rows per INSERT … SELECT FROM json_each: one bound JSON value carries them all. */
const ROWS_PER_STATEMENT = 100;

const chunks = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Creates tickets in one project, all or none. Items refer to each other by `ref` (parents and
 * dependencies); references that are not refs must be tickets of the project already. Every
 * problem is reported at once, as 422 with a path per item.
 */
export async function bulkCreateTickets(
  ctx: OrgCtx,
  projectId: string | undefined,
  items: BulkTicket[],
): Promise<{ ref: string | null; ticket: TicketRow }[]> {
  const { orgId } = ctx;
  const project = await targetProject(ctx, projectId, 'project_id');
  const errors: FieldError[] = [];
  const ids = items.map(() => newId('tkt'));
  const byRef = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.ref === undefined) return;
    if (byRef.has(item.ref))
      errors.push({ path: `tickets.${i}.ref`, message: `The ref ${item.ref} is used twice` });
    else byRef.set(item.ref, i);
  });

  const outside = new Set<string>();
  for (const item of items) {
    for (const r of [...(item.dependsOn ?? []), ...(item.parent ? [item.parent] : [])])
      if (!byRef.has(r)) outside.add(r);
  }
  const existing = new Map<string, { parentId: string | null }>();
  for (const chunk of chunks([...outside], 90)) {
    const rows = await ctx.db
      .select({ id: tickets.id, parentId: tickets.parentId })
      .from(tickets)
      .where(and(eq(tickets.projectId, project.id), inArray(tickets.id, chunk)));
    for (const r of rows) existing.set(r.id, { parentId: r.parentId });
  }

  const resolve = (reference: string, path: string) => {
    const i = byRef.get(reference);
    if (i !== undefined) return ids[i]!;
    if (existing.has(reference)) return reference;
    errors.push({ path, message: `${reference} is neither a ref in this batch nor a ticket of the project` });
    return null;
  };
  const edges: { ticketId: string; dependsOnId: string }[] = [];
  const parents: (string | null)[] = items.map((item, i) => {
    if (!item.parent) return null;
    const path = `tickets.${i}.parent`;
    const parentId = resolve(item.parent, path);
    const inBatch = byRef.get(item.parent);
    const nested = inBatch !== undefined ? items[inBatch]!.parent : existing.get(item.parent)?.parentId;
    if (parentId && nested) errors.push({ path, message: 'A subtask cannot have subtasks of its own' });
    return parentId;
  });
  items.forEach((item, i) => {
    (item.dependsOn ?? []).forEach((d, k) => {
      const dependsOnId = resolve(d, `tickets.${i}.depends_on.${k}`);
      if (dependsOnId === ids[i])
        errors.push({ path: `tickets.${i}.depends_on.${k}`, message: 'A ticket cannot depend on itself' });
      else if (dependsOnId && !edges.some((e) => e.ticketId === ids[i] && e.dependsOnId === dependsOnId))
        edges.push({ ticketId: ids[i]!, dependsOnId });
    });
  });
  // Existing tickets cannot depend on new ones, so only the batch's own edges can form a cycle.
  const cycle = findCycle(edges);
  if (cycle) {
    const name = (id: string) => items[ids.indexOf(id)]?.ref ?? id;
    errors.push({
      path: 'tickets',
      message: `The dependencies form a cycle: ${cycle.map(name).join(' → ')}`,
    });
  }
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (!item.assignee) continue;
    const key = `${item.assignee.type}:${item.assignee.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await assertAssignable(ctx.db, orgId, item.assignee, `tickets.${i}.assignee`).catch((e: ApiError) =>
      errors.push(...(e.errors ?? [])),
    );
  }
  if (errors.length > 0)
    throw new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

  const [last] = await ctx.db
    .select({ max: sql<number>`coalesce(max(${tickets.position}), 0)` })
    .from(tickets)
    .where(and(eq(tickets.projectId, project.id), eq(tickets.status, 'todo')));
  const base = Number(last?.max ?? 0);
  const rows = items.map((item, i) => ({
    id: ids[i],
    parent_id: parents[i],
    title: item.title,
    description: item.description ?? '',
    type: item.type ?? 'task',
    priority: item.priority ?? 2,
    assignee_type: item.assignee?.type ?? null,
    assignee_id: item.assignee?.id ?? null,
    labels: item.labels ?? [],
    estimate: item.estimate ?? null,
    due_date: item.dueDate ?? null,
    position: item.position ?? base + POSITION_STEP * (i + 1),
  }));

  const now = Date.now();
  const projectStillThere = sql`(CASE WHEN EXISTS (SELECT 1 FROM ${projects} WHERE id = ${project.id}) THEN ${project.id} END)`;
  const statements = [
    ...chunks(rows, ROWS_PER_STATEMENT).flatMap((chunk) => {
      const json = JSON.stringify(chunk);
      return [
        // Columns in table order: id … due_date, resolution, position, created_by … completed_at.
        ctx.db.insert(tickets).select(sql`
          SELECT json_extract(j.value, '$.id'), ${orgId}, ${projectStillThere}, json_extract(j.value, '$.parent_id'),
            json_extract(j.value, '$.title'), json_extract(j.value, '$.description'), json_extract(j.value, '$.type'),
            'todo', json_extract(j.value, '$.priority'), json_extract(j.value, '$.assignee_type'),
            json_extract(j.value, '$.assignee_id'), json_extract(j.value, '$.labels'),
            json_extract(j.value, '$.estimate'), json_extract(j.value, '$.due_date'), NULL,
            json_extract(j.value, '$.position'), ${ctx.actor.id}, ${now}, ${now}, NULL, NULL
          FROM json_each(${json}) j`),
        activityInsertPerRow(
          ctx,
          {
            action: 'ticket.created',
            entityType: 'ticket',
            orgId: sql`${orgId}`,
            entityId: sql`json_extract(j.value, '$.id')`,
            metadata: sql`json_object('project_id', ${project.id}, 'parent_id', json_extract(j.value, '$.parent_id'), 'bulk', json('true'))`,
          },
          sql`json_each(${json}) j`,
        ),
      ];
    }),
    ...chunks(edges, 500).flatMap((chunk) => {
      const json = JSON.stringify(chunk.map((e) => [e.ticketId, e.dependsOnId]));
      return [
        // A dependency on a ticket deleted meanwhile is NULL, fails NOT NULL and undoes the batch.
        ctx.db.insert(ticketDependencies).select(sql`
          SELECT json_extract(j.value, '$[0]'),
            (SELECT t.id FROM tickets t WHERE t.id = json_extract(j.value, '$[1]') AND t.project_id = ${project.id}),
            ${orgId}, ${project.id}, ${ctx.actor.id}, ${now}
          FROM json_each(${json}) j`),
        activityInsertPerRow(
          ctx,
          {
            action: 'ticket.dependency_added',
            entityType: 'ticket',
            orgId: sql`${orgId}`,
            entityId: sql`json_extract(j.value, '$[0]')`,
            metadata: sql`json_object('depends_on_id', json_extract(j.value, '$[1]'), 'project_id', ${project.id})`,
          },
          sql`json_each(${json}) j`,
        ),
      ];
    }),
  ];
  const gone = 'The project or a referenced ticket was deleted meanwhile; nothing was created';
  await commit(ctx.db, statements as [(typeof statements)[number], ...typeof statements], {
    guard: gone,
    foreignKey: gone,
    unique: gone,
  });

  const created = new Map<string, TicketRow>();
  for (const chunk of chunks(ids, 90)) {
    const found = await ctx.db.select(ticketSelection).from(tickets).where(inArray(tickets.id, chunk));
    for (const t of found) created.set(t.id, t);
  }
  return items.map((item, i) => ({ ref: item.ref ?? null, ticket: created.get(ids[i]!)! }));
}
