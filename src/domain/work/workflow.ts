import type { TICKET_STATUSES } from '../../db/schema';

export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * The status workflow: todo → in_progress → review → done, with blocked and cancelled beside
 * it. Done and cancelled tickets can be reopened to todo.
 */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  todo: ['in_progress', 'blocked', 'cancelled'],
  in_progress: ['review', 'todo', 'blocked', 'cancelled'],
  review: ['done', 'in_progress', 'blocked', 'cancelled'],
  blocked: ['todo', 'in_progress', 'cancelled'],
  done: ['todo'],
  cancelled: ['todo'],
};

export const canTransition = (from: TicketStatus, to: TicketStatus) => TRANSITIONS[from].includes(to);

/** Statuses that finish a ticket: they stamp `completed_at`, and reopening clears it. */
export const isFinished = (s: TicketStatus) => s === 'done' || s === 'cancelled';
