import { z } from 'zod';
import { TICKET_STATUSES, TICKET_TYPES } from '../../db/schema';
import { addComment } from '../work/comments';
import { transitionTicket } from '../work/status';
import { createTicket, type TicketRow } from '../work/tickets';
import type { BuiltinCall } from './types';

const id = z.string().min(1).max(100);

export const CreateTicketArgs = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(20_000).optional(),
    project_id: id.optional().describe('Left out: the organization’s system project'),
    parent_id: id.optional().describe('Make it a subtask of this ticket'),
    type: z.enum(TICKET_TYPES).optional(),
    priority: z.enum(['P0', 'P1', 'P2', 'P3']).optional().describe('P0 is the most urgent'),
    labels: z.array(z.string().min(1).max(50)).max(20).optional(),
    assign_to_me: z.boolean().default(false).describe('Assign the ticket to yourself'),
  })
  .strict();

export const CommentArgs = z.object({ ticket_id: id, body: z.string().trim().min(1).max(20_000) }).strict();

export const TransitionArgs = z
  .object({
    ticket_id: id,
    status: z.enum(TICKET_STATUSES),
    resolution: z.string().max(2000).optional().describe('Why, when finishing or cancelling'),
  })
  .strict();

const summary = (t: TicketRow) => ({
  id: t.id,
  project_id: t.projectId,
  title: t.title,
  status: t.status,
  priority: `P${t.priority}`,
});

export async function createTicketTool(call: BuiltinCall, args: z.infer<typeof CreateTicketArgs>) {
  const ticket = await createTicket(call.ctx, call.ctx.orgId, {
    title: args.title,
    description: args.description,
    projectId: args.project_id,
    parentId: args.parent_id,
    type: args.type,
    priority: args.priority ? Number(args.priority.slice(1)) : undefined,
    labels: args.labels,
    assignee: args.assign_to_me ? { type: 'agent', id: call.agentId } : undefined,
  });
  return summary(ticket);
}

export async function commentTool(call: BuiltinCall, args: z.infer<typeof CommentArgs>) {
  const comment = await addComment(call.ctx, call.ctx.orgId, args.ticket_id, args.body);
  return { id: comment.id, ticket_id: comment.ticketId };
}

export async function transitionTool(call: BuiltinCall, args: z.infer<typeof TransitionArgs>) {
  return summary(
    await transitionTicket(call.ctx, call.ctx.orgId, args.ticket_id, args.status, args.resolution),
  );
}
