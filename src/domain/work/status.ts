import { and, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import { tickets } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { activityInsertIf } from '../activity/record';
import type { Ctx, OrgCtx } from '../context';
import type { EventType } from '../events/catalog';
import { type Assignee, assertAssignable } from './assignees';
import { endOfColumn, getTicket, noOpenDependencies, openBlockers, type TicketRow } from './tickets';
import { canTransition, isFinished, type TicketStatus, TRANSITIONS } from './workflow';

const blockedMessage = (blockers: { id: string; status: string }[]) =>
  `The ticket is blocked by dependencies that are not done: ${blockers.map((b) => `${b.id} (${b.status})`).join(', ')}`;

async function assertUnblocked(ctx: Ctx, ticket: TicketRow) {
  if (ticket.openDependencies === 0) return;
  throw conflict(blockedMessage(await openBlockers(ctx.db, ticket.id)));
}

function assertTransition(from: TicketStatus, to: TicketStatus) {
  if (!canTransition(from, to))
    throw conflict(
      `A ${from} ticket cannot become ${to}; allowed from ${from}: ${TRANSITIONS[from].join(', ')}`,
    );
}

/**
 * Applies a status change (and position) only if the ticket is still in the state it was
 * checked in; the activity entry is written under the same condition, in the same batch.
 */
async function applyStatusChange(
  ctx: Ctx,
  ticket: TicketRow,
  to: TicketStatus,
  opts: {
    position?: number;
    resolution?: string | null;
    action: EventType;
    extra?: Partial<TicketRow>;
    condition?: SQL;
  },
) {
  const now = Date.now();
  const starting = to === 'in_progress' && ticket.status !== 'in_progress';
  const condition = and(
    eq(tickets.id, ticket.id),
    eq(tickets.status, ticket.status),
    starting ? noOpenDependencies(ticket.id) : undefined,
    opts.condition,
  ) as SQL;
  const statusChanged = to !== ticket.status;
  const set = {
    status: to,
    position: opts.position ?? (statusChanged ? endOfColumn(ticket.projectId, to) : ticket.position),
    updatedAt: now,
    ...(starting ? { startedAt: ticket.startedAt ?? now } : {}),
    ...(statusChanged && isFinished(to) ? { completedAt: now } : {}),
    ...(statusChanged && !isFinished(to) ? { completedAt: null, resolution: null } : {}),
    ...(opts.resolution !== undefined ? { resolution: opts.resolution } : {}),
    ...opts.extra,
  };
  const [, [row]] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId: ticket.orgId,
        action: opts.action,
        entityType: 'ticket',
        entityId: ticket.id,
        metadata: {
          from: ticket.status,
          to,
          ...(opts.position !== undefined ? { position: opts.position } : {}),
          ...(opts.extra?.assigneeId
            ? { assignee: { type: opts.extra.assigneeType, id: opts.extra.assigneeId } }
            : {}),
        },
      },
      sql`EXISTS (SELECT 1 FROM tickets WHERE ${condition})`,
    ),
    ctx.db.update(tickets).set(set).where(condition).returning({ id: tickets.id }),
  ]);
  return row !== undefined;
}

export async function transitionTicket(
  ctx: OrgCtx,
  id: string,
  to: TicketStatus,
  resolution?: string | null,
) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, id);
  if (ticket.status === to) throw conflict(`The ticket is already ${to}`);
  assertTransition(ticket.status, to);
  if (to === 'in_progress') await assertUnblocked(ctx, ticket);
  if (!(await applyStatusChange(ctx, ticket, to, { resolution, action: 'ticket.transitioned' })))
    return retryReason(ctx, id);
  return getTicket(ctx.db, orgId, id);
}

/** A board move: a new status (by the workflow) and/or a new position in the column. */
export async function moveTicket(ctx: OrgCtx, id: string, to: TicketStatus, position?: number) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, id);
  if (ticket.status !== to) {
    assertTransition(ticket.status, to);
    if (to === 'in_progress') await assertUnblocked(ctx, ticket);
  }
  if (!(await applyStatusChange(ctx, ticket, to, { position, action: 'ticket.moved' })))
    return retryReason(ctx, id);
  return getTicket(ctx.db, orgId, id);
}

/**
 * An assignee takes a ready ticket (todo, unassigned or already theirs, dependencies done) and
 * starts it. Of many claims at once exactly one matches the conditional update.
 */
export async function claimTicket(ctx: OrgCtx, id: string, assignee: Assignee) {
  const { orgId } = ctx;
  const ticket = await getTicket(ctx.db, orgId, id);
  await assertAssignable(ctx.db, orgId, assignee);
  assertClaimable(ticket, assignee);
  await assertUnblocked(ctx, ticket);
  const won = await applyStatusChange(ctx, ticket, 'in_progress', {
    action: 'ticket.claimed',
    extra: { assigneeType: assignee.type, assigneeId: assignee.id },
    condition: or(
      isNull(tickets.assigneeId),
      and(eq(tickets.assigneeType, assignee.type), eq(tickets.assigneeId, assignee.id)),
    ),
  });
  if (!won) {
    const now = await getTicket(ctx.db, orgId, id);
    assertClaimable(now, assignee);
    await assertUnblocked(ctx, now);
    throw conflict('The ticket changed while it was being claimed; try again');
  }
  return getTicket(ctx.db, orgId, id);
}

function assertClaimable(ticket: TicketRow, assignee: Assignee) {
  if (ticket.assigneeId && !(ticket.assigneeType === assignee.type && ticket.assigneeId === assignee.id))
    throw conflict(`The ticket is already claimed by ${ticket.assigneeType} ${ticket.assigneeId}`);
  if (ticket.status !== 'todo')
    throw conflict(`Only todo tickets can be claimed; this one is ${ticket.status}`);
}

/** The update matched nothing: someone changed the ticket in between. Say what it is now. */
async function retryReason(ctx: OrgCtx, id: string): Promise<never> {
  const { orgId } = ctx;
  const now = await getTicket(ctx.db, orgId, id);
  throw conflict(`The ticket changed meanwhile (it is now ${now.status}); reload it and try again`);
}
