import { and, asc, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { TICKET_STATUSES, tickets } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import type { OrgCtx } from '../context';
import { type PageRequest, pageClauses } from '../lookup';
import type { Assignee } from './assignees';
import { getProject } from './projects';
import { matchExpression, ticketsFts } from './search';
import { noOpenDependencies, outerTicketId, ticketSelection } from './tickets';
import type { TicketStatus } from './workflow';

export interface TicketFilter {
  statuses?: TicketStatus[];
  priorities?: number[];
  assignee?: Assignee | 'none';
  projectId?: string;
  parentId?: string;
  label?: string;
  q?: string;
  includeSubtasks?: boolean;
}

function filterConditions(orgId: string, f: TicketFilter) {
  return [
    eq(tickets.orgId, orgId),
    f.statuses?.length ? inArray(tickets.status, f.statuses) : undefined,
    f.priorities?.length ? inArray(tickets.priority, f.priorities) : undefined,
    f.assignee === 'none'
      ? isNull(tickets.assigneeId)
      : f.assignee
        ? and(eq(tickets.assigneeType, f.assignee.type), eq(tickets.assigneeId, f.assignee.id))
        : undefined,
    f.projectId ? eq(tickets.projectId, f.projectId) : undefined,
    f.parentId ? eq(tickets.parentId, f.parentId) : f.includeSubtasks ? undefined : isNull(tickets.parentId),
    f.label ? sql`EXISTS (SELECT 1 FROM json_each(${tickets.labels}) WHERE value = ${f.label})` : undefined,
  ];
}

/** Newest first. */
export function listTickets(ctx: OrgCtx, f: TicketFilter, page: PageRequest) {
  const p = pageClauses(page, tickets.id, true);
  return ctx.db
    .select(ticketSelection)
    .from(tickets)
    .where(and(...filterConditions(ctx.orgId, f), p.after))
    .orderBy(p.orderBy)
    .limit(p.limit);
}

/** A search result's cursor key: its rank, then its id. */
export const searchCursor = (r: { rank: number; id: string }) => `${r.rank}|${r.id}`;

/** Best match for `q` first by FTS5 rank, then newest; the cursor key is `searchCursor`. */
export function searchTickets(ctx: OrgCtx, q: string, f: TicketFilter, page: PageRequest) {
  let after: SQL | undefined;
  if (page.after) {
    const sep = page.after.indexOf('|');
    const rank = Number(page.after.slice(0, sep));
    const id = page.after.slice(sep + 1);
    if (sep < 0 || Number.isNaN(rank))
      throw new ApiError('bad_request', 'The cursor is not one this API issued');
    after = or(sql`${ticketsFts.rank} > ${rank}`, and(sql`${ticketsFts.rank} = ${rank}`, lt(tickets.id, id)));
  }
  return ctx.db
    .select({ ...ticketSelection, rank: ticketsFts.rank })
    .from(ticketsFts)
    .innerJoin(tickets, eq(tickets.id, ticketsFts.ticketId))
    .where(and(sql`${ticketsFts} MATCH ${matchExpression(q)}`, ...filterConditions(ctx.orgId, f), after))
    .orderBy(asc(ticketsFts.rank), desc(tickets.id))
    .limit(pageClauses(page, tickets.id).limit);
}

/**
 * The ticket `assignee` should work on next: a todo ticket assigned to them or to nobody, whose
 * dependencies are all done; most urgent first, their own before unassigned ones, then by due
 * date and board position.
 */
export async function nextTicket(db: Db, orgId: string, assignee: Assignee, projectId?: string) {
  const [row] = await db
    .select(ticketSelection)
    .from(tickets)
    .where(
      and(
        eq(tickets.orgId, orgId),
        eq(tickets.status, 'todo'),
        or(
          isNull(tickets.assigneeId),
          and(eq(tickets.assigneeType, assignee.type), eq(tickets.assigneeId, assignee.id)),
        ),
        projectId ? eq(tickets.projectId, projectId) : undefined,
        noOpenDependencies(outerTicketId),
      ),
    )
    .orderBy(
      asc(tickets.priority),
      sql`${tickets.assigneeId} IS NULL`,
      sql`${tickets.dueDate} IS NULL`,
      asc(tickets.dueDate),
      asc(tickets.position),
      asc(tickets.id),
    )
    .limit(1);
  return row ?? null;
}

/** The project's board: top-level tickets by status column, ordered by position. */
export async function board(db: Db, orgId: string, projectId: string, perColumn: number) {
  await getProject(db, orgId, projectId);
  const column = (status: TicketStatus) =>
    db
      .select(ticketSelection)
      .from(tickets)
      .where(and(eq(tickets.projectId, projectId), eq(tickets.status, status), isNull(tickets.parentId)))
      .orderBy(asc(tickets.position), asc(tickets.id))
      .limit(perColumn);
  const [totals, ...columns] = await db.batch([
    db
      .select({ status: tickets.status, n: sql<number>`count(*)`.mapWith(Number) })
      .from(tickets)
      .where(and(eq(tickets.projectId, projectId), isNull(tickets.parentId)))
      .groupBy(tickets.status),
    column('todo'),
    column('in_progress'),
    column('review'),
    column('done'),
    column('blocked'),
    column('cancelled'),
  ]);
  const total = new Map(totals.map((t) => [t.status, t.n]));
  return TICKET_STATUSES.map((status, i) => ({
    status,
    total: total.get(status) ?? 0,
    tickets: columns[i]!,
  }));
}
