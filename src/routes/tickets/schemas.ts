import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TICKET_STATUSES, TICKET_TYPES } from '../../db/schema';
import type { Assignee } from '../../domain/work/assignees';
import type { TicketRow } from '../../domain/work/tickets';
import type { AppEnv } from '../../env';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ApiError } from '../../lib/errors';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Tickets'];

export const PrioritySchema = z
  .enum(['P0', 'P1', 'P2', 'P3'])
  .openapi({ description: 'P0 is the most urgent' });
export const StatusSchema = z.enum(TICKET_STATUSES);
export const priorityRank = (p: z.infer<typeof PrioritySchema>) => Number(p.slice(1));
const priorityName = (n: number) => `P${n}` as z.infer<typeof PrioritySchema>;

export const AssigneeSchema = z
  .object({
    type: z.enum(['user', 'agent']),
    id: z.string().min(1).max(100).openapi({ example: 'usr_01hv…' }),
  })
  .openapi('Assignee');

export const AssigneeInputSchema = AssigneeSchema.extend({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ description: 'A user or agent id; `me` (type user) is the caller' }),
});

/** `{type: 'user', id: 'me'}` is the signed-in caller; API keys have no `me`. */
export function resolveAssignee(
  c: Context<AppEnv>,
  a: z.infer<typeof AssigneeInputSchema>,
  path = 'assignee',
): Assignee {
  if (a.id !== 'me') return a;
  const p = c.var.principal;
  if (a.type !== 'user' || p.type !== 'user') {
    const message = '`me` means the signed-in user; API keys must name the assignee';
    throw new ApiError('validation', message, { errors: [{ path, message }] });
  }
  return { type: 'user', id: p.userId };
}

export const TicketSchema = z
  .object({
    id: z.string().openapi({ description: 'The ticket id', example: 'tkt_01hv…' }),
    project_id: z.string().openapi({ description: 'The project the ticket belongs to' }),
    parent_id: z
      .string()
      .nullable()
      .openapi({ description: 'The parent ticket when this is a subtask; null otherwise' }),
    title: z.string().openapi({ description: 'A one-line summary' }),
    description: z.string().openapi({ description: 'The full description (Markdown); empty when not given' }),
    type: z.enum(TICKET_TYPES).openapi({ description: 'What kind of work it is' }),
    status: StatusSchema.openapi({
      description: 'Where it is in the workflow; changed with `transition` (or `claim`, `move`)',
    }),
    priority: PrioritySchema,
    assignee: AssigneeSchema.nullable().openapi({
      description: 'The user or agent it is assigned to; null when unassigned',
    }),
    labels: z.array(z.string()).openapi({ description: 'Free-form labels, for filtering' }),
    estimate: z.number().nullable().openapi({
      description:
        'Estimated effort, in units the team chooses (e.g. points or hours); null when not estimated',
    }),
    due_date: z
      .string()
      .nullable()
      .openapi({ description: 'The day it is due (`YYYY-MM-DD`); null for none', example: '2026-12-31' }),
    resolution: z.string().nullable().openapi({
      description: 'How it was finished (set with a transition to `done` or `cancelled`); null while open',
    }),
    position: z
      .number()
      .openapi({ description: 'Order within its status column on the board; lower comes first' }),
    subtask_count: z.number().int().openapi({ description: 'How many subtasks it has' }),
    open_dependencies: z.number().int().openapi({
      description: 'Dependencies not done yet; while above 0 the ticket cannot be claimed or started',
    }),
    created_by: z.string().openapi({
      description: 'Who created it: a user id (`usr_…`) or, when a program did, an API key id (`key_…`)',
    }),
    created_at: z.iso.datetime().openapi({ description: 'When it was created' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
    started_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'When it first moved to `in_progress`; null if not yet' }),
    completed_at: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'When it reached `done` or `cancelled`; null while open' }),
  })
  .openapi('Ticket');

export type TicketBody = z.infer<typeof TicketSchema>;

export const toTicket = (t: TicketRow): TicketBody => ({
  id: t.id,
  project_id: t.projectId,
  parent_id: t.parentId,
  title: t.title,
  description: t.description,
  type: t.type,
  status: t.status,
  priority: priorityName(t.priority),
  assignee: t.assigneeType && t.assigneeId ? { type: t.assigneeType, id: t.assigneeId } : null,
  labels: t.labels,
  estimate: t.estimate,
  due_date: t.dueDate,
  resolution: t.resolution,
  position: t.position,
  subtask_count: t.subtaskCount,
  open_dependencies: t.openDependencies,
  created_by: t.createdBy,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
  started_at: isoOrNull(t.startedAt),
  completed_at: isoOrNull(t.completedAt),
});

export const TicketFieldsSchema = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).optional(),
  type: z.enum(TICKET_TYPES).optional().openapi({ description: 'Defaults to task' }),
  priority: PrioritySchema.optional().openapi({ description: 'Defaults to P2' }),
  assignee: AssigneeInputSchema.nullable().optional(),
  labels: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  estimate: z.number().min(0).max(100_000).nullable().optional(),
  due_date: z.iso.date().nullable().optional(),
  position: z
    .number()
    .optional()
    .openapi({ description: 'Board position; defaults to the end of the column' }),
});

/** The domain's view of the shared ticket fields. */
export function toFields(c: Context<AppEnv>, b: Partial<z.infer<typeof TicketFieldsSchema>>, path = '') {
  return {
    title: b.title,
    description: b.description,
    type: b.type,
    priority: b.priority === undefined ? undefined : priorityRank(b.priority),
    assignee: b.assignee ? resolveAssignee(c, b.assignee, `${path}assignee`) : b.assignee,
    labels: b.labels,
    estimate: b.estimate,
    dueDate: b.due_date,
    position: b.position,
  };
}

export const TicketParamsSchema = OrgParamsSchema.extend({ ticketId: pathId('ticketId', 'tkt_01hv…') });
