import { and, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { projects, ticketDependencies, tickets } from '../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit, guarded } from '../commit';
import type { OrgCtx } from '../context';
import { type Assignee, assertAssignable } from './assignees';
import { getProject, type Project, systemProjectId } from './projects';
import type { TicketStatus } from './workflow';

export type Ticket = typeof tickets.$inferSelect;
export type TicketRow = Ticket & { subtaskCount: number; openDependencies: number };
export type TicketType = Ticket['type'];

/** Gap between neighbouring positions, so a move can land between two tickets many times. */
export const POSITION_STEP = 1024;

/** A ticket with no dependency that is not done yet; `id` is SQL for the ticket's id. */
export const noOpenDependencies = (id: SQL | string) => sql`NOT EXISTS (
  SELECT 1 FROM ticket_dependencies d JOIN tickets b ON b.id = d.depends_on_id
  WHERE d.ticket_id = ${id} AND b.status <> 'done')`;

/**
 * The outer query's ticket id, spelled out: drizzle renders `${tickets.id}` as a bare "id" in
 * single-table selects, which inside a subquery would bind to the subquery's own table.
 */
export const outerTicketId = sql.raw('"tickets"."id"');

/** The ticket's columns plus its subtask count and number of unfinished dependencies. */
export const ticketSelection = {
  ...getTableColumns(tickets),
  subtaskCount: sql<number>`(SELECT count(*) FROM tickets s WHERE s.parent_id = ${outerTicketId})`.mapWith(
    Number,
  ),
  openDependencies: sql<number>`(SELECT count(*) FROM ticket_dependencies d JOIN tickets b
    ON b.id = d.depends_on_id WHERE d.ticket_id = ${outerTicketId} AND b.status <> 'done')`.mapWith(Number),
};

/** The position after the last ticket of a board column. */
export const endOfColumn = (projectId: string, status: TicketStatus) =>
  sql`(SELECT coalesce(max(position), 0) + ${POSITION_STEP} FROM tickets WHERE project_id = ${projectId} AND status = ${status})`;

const invalid = (path: string, message: string) =>
  new ApiError('validation', message, { errors: [{ path, message }] });

export async function findTicket(db: Db, orgId: string, id: string): Promise<TicketRow | undefined> {
  const [row] = await db
    .select(ticketSelection)
    .from(tickets)
    .where(and(eq(tickets.orgId, orgId), eq(tickets.id, id)))
    .limit(1);
  return row;
}

export async function getTicket(db: Db, orgId: string, id: string): Promise<TicketRow> {
  const row = await findTicket(db, orgId, id);
  if (!row) throw notFound('Ticket');
  return row;
}

/** The dependencies of a ticket that are not done yet, for messages that name them. */
export async function openBlockers(db: Db, ticketId: string) {
  return db
    .select({ id: tickets.id, status: tickets.status })
    .from(ticketDependencies)
    .innerJoin(tickets, eq(tickets.id, ticketDependencies.dependsOnId))
    .where(and(eq(ticketDependencies.ticketId, ticketId), sql`${tickets.status} <> 'done'`))
    .orderBy(tickets.id);
}

export interface TicketFields {
  title: string;
  description?: string;
  type?: TicketType;
  priority?: number;
  assignee?: Assignee | null;
  labels?: string[];
  estimate?: number | null;
  dueDate?: string | null;
  position?: number;
}

export interface NewTicket extends TicketFields {
  projectId?: string;
  parentId?: string | null;
}

/** The project a new ticket goes to: the one named, or the system project. */
export async function targetProject(
  ctx: OrgCtx,
  projectId: string | undefined,
  path: string,
): Promise<Pick<Project, 'id'>> {
  const { orgId } = ctx;
  if (projectId === undefined) return { id: await systemProjectId(ctx, orgId) };
  const project = await getProject(ctx.db, orgId, projectId).catch(() => undefined);
  if (!project) throw invalid(path, `Project ${projectId} does not exist in this organization`);
  return project;
}

/** A parent must be a top-level ticket of the same project: subtasks are one level deep. */
export async function assertParent(
  db: Db,
  orgId: string,
  project: Pick<Project, 'id'>,
  parentId: string,
  path: string,
) {
  const parent = await findTicket(db, orgId, parentId);
  if (!parent || parent.projectId !== project.id)
    throw invalid(path, `Ticket ${parentId} does not exist in project ${project.id}`);
  if (parent.parentId !== null) throw invalid(path, 'A subtask cannot have subtasks of its own');
}

export async function createTicket(ctx: OrgCtx, input: NewTicket): Promise<TicketRow> {
  const { orgId } = ctx;
  const project = await targetProject(ctx, input.projectId, 'project_id');
  if (input.parentId) await assertParent(ctx.db, orgId, project, input.parentId, 'parent_id');
  if (input.assignee) await assertAssignable(ctx.db, orgId, input.assignee);

  const now = Date.now();
  const id = newId('tkt');
  // The project and parent were checked above; the guard refuses the write if either went since.
  const stillValid = and(
    sql`EXISTS (SELECT 1 FROM ${projects} WHERE id = ${project.id})`,
    input.parentId
      ? sql`EXISTS (SELECT 1 FROM tickets WHERE id = ${input.parentId} AND parent_id IS NULL)`
      : undefined,
  )!;
  const gone = 'The project or parent ticket was deleted meanwhile';
  const [[row]] = await commit(
    ctx.db,
    [
      ctx.db
        .insert(tickets)
        .values({
          id,
          orgId,
          projectId: guarded(project.id, stillValid),
          parentId: input.parentId ?? null,
          title: input.title,
          description: input.description ?? '',
          type: input.type ?? 'task',
          status: 'todo',
          priority: input.priority ?? 2,
          assigneeType: input.assignee?.type ?? null,
          assigneeId: input.assignee?.id ?? null,
          labels: input.labels ?? [],
          estimate: input.estimate ?? null,
          dueDate: input.dueDate ?? null,
          position: input.position ?? endOfColumn(project.id, 'todo'),
          createdBy: ctx.actor.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      activityInsert(ctx, {
        orgId,
        action: 'ticket.created',
        entityType: 'ticket',
        entityId: id,
        metadata: { project_id: project.id, parent_id: input.parentId ?? null },
      }),
    ],
    { guard: gone, foreignKey: gone },
  );
  return { ...row!, subtaskCount: 0, openDependencies: 0 };
}

export interface TicketPatch extends Partial<TicketFields> {
  parentId?: string | null;
  resolution?: string | null;
}

export async function updateTicket(ctx: OrgCtx, id: string, patch: TicketPatch) {
  const { orgId } = ctx;
  const current = await getTicket(ctx.db, orgId, id);
  if (patch.parentId) {
    if (patch.parentId === id) throw invalid('parent_id', 'A ticket cannot be its own parent');
    if (current.subtaskCount > 0)
      throw invalid('parent_id', 'This ticket has subtasks, so it cannot become a subtask');
    const project = await getProject(ctx.db, orgId, current.projectId);
    await assertParent(ctx.db, orgId, project, patch.parentId, 'parent_id');
  }
  if (patch.assignee) await assertAssignable(ctx.db, orgId, patch.assignee);

  const set: Partial<Ticket> = {};
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.type !== undefined) set.type = patch.type;
  if (patch.priority !== undefined) set.priority = patch.priority;
  if (patch.labels !== undefined) set.labels = patch.labels;
  if (patch.estimate !== undefined) set.estimate = patch.estimate;
  if (patch.dueDate !== undefined) set.dueDate = patch.dueDate;
  if (patch.resolution !== undefined) set.resolution = patch.resolution;
  if (patch.position !== undefined) set.position = patch.position;
  if (patch.parentId !== undefined) set.parentId = patch.parentId;
  if (patch.assignee !== undefined) {
    set.assigneeType = patch.assignee?.type ?? null;
    set.assigneeId = patch.assignee?.id ?? null;
  }
  const fields = Object.keys(patch).filter((k) => patch[k as keyof TicketPatch] !== undefined);
  await commit(ctx.db, [
    ctx.db
      .update(tickets)
      .set({ ...set, updatedAt: Date.now() })
      .where(and(eq(tickets.orgId, orgId), eq(tickets.id, id))),
    activityInsertIf(
      ctx,
      { orgId, action: 'ticket.updated', entityType: 'ticket', entityId: id, metadata: { fields } },
      sql`EXISTS (SELECT 1 FROM tickets WHERE id = ${id})`,
    ),
  ]);
  return getTicket(ctx.db, orgId, id);
}

/**
 * Deletes the ticket; foreign keys take its subtasks, their comments and every dependency
 * touching them with it.
 */
export async function deleteTicket(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, id);
  await ctx.db.batch([
    activityInsert(ctx, {
      orgId,
      action: 'ticket.deleted',
      entityType: 'ticket',
      entityId: id,
      metadata: { project_id: ticket.projectId, subtasks: ticket.subtaskCount },
    }),
    ctx.db.delete(tickets).where(and(eq(tickets.orgId, orgId), eq(tickets.id, id))),
  ]);
}
