import { z } from '@hono/zod-openapi';
import { bulkCreateTickets, MAX_BULK_TICKETS } from '../../domain/work/bulk';
import { listTickets, searchCursor, searchTickets } from '../../domain/work/ticket-lists';
import { createTicket, deleteTicket, getTicket, updateTicket } from '../../domain/work/tickets';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { commaList, OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  PrioritySchema,
  priorityRank,
  resolveAssignee,
  StatusSchema,
  TicketFieldsSchema,
  TicketParamsSchema,
  TicketSchema,
  tags,
  toFields,
  toTicket,
} from './schemas';

const ListQuerySchema = PageQuerySchema.extend({
  status: commaList(
    StatusSchema,
    StatusSchema.options.length,
    'One or more statuses, comma-separated',
  ).optional(),
  priority: commaList(
    PrioritySchema,
    PrioritySchema.options.length,
    'One or more priorities, comma-separated',
  ).optional(),
  assignee: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: '`me`, `none`, or a user (`usr_…`) or agent (`agt_…`) id' }),
  project_id: z.string().max(100).optional(),
  parent_id: z.string().max(100).optional().openapi({ description: 'Subtasks of this ticket' }),
  label: z.string().max(50).optional(),
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'Full-text search over title and description; results best match first' }),
  include_subtasks: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Subtasks are hidden unless this is true or parent_id is given' }),
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/tickets',
  tags,
  operationId: 'listTickets',
  summary: 'Tickets with filters and full-text search; newest first, or best match first with `q`',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: { params: OrgParamsSchema, query: ListQuerySchema },
  responses: { 200: jsonResponse(pageOf(TicketSchema), 'A page of tickets') },
});

const createTicketRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets',
  tags,
  operationId: 'createTicket',
  summary: 'Create a ticket (in the system project unless `project_id` is given), or a subtask',
  access: { role: 'member', scope: 'tickets:write' },
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      TicketFieldsSchema.extend({
        project_id: z.string().max(100).optional(),
        parent_id: z.string().max(100).optional().openapi({ description: 'Makes this a subtask' }),
      }),
    ),
  },
  responses: { 201: jsonResponse(TicketSchema, 'The ticket') },
});

const BulkItemSchema = TicketFieldsSchema.extend({
  ref: z.string().min(1).max(100).optional().openapi({ description: 'A name other items can refer to' }),
  parent: z.string().min(1).max(100).optional().openapi({ description: 'A ref in the batch or a ticket id' }),
  depends_on: z
    .array(z.string().min(1).max(100))
    .max(100)
    .optional()
    .openapi({ description: 'Refs in the batch or ticket ids of the project' }),
});

const bulkRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/bulk',
  tags,
  operationId: 'bulkCreateTickets',
  summary: `Create up to ${MAX_BULK_TICKETS} tickets in one project, with dependencies and parents by ref; all or nothing`,
  access: { role: 'member', scope: 'tickets:write' },
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z.object({
        project_id: z.string().max(100).optional(),
        tickets: z.array(BulkItemSchema).min(1).max(MAX_BULK_TICKETS),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({ data: z.array(z.object({ ref: z.string().nullable(), ticket: TicketSchema })) }),
      'The tickets, in request order',
    ),
  },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/tickets/{ticketId}',
  tags,
  operationId: 'getTicket',
  summary: 'A ticket',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: { params: TicketParamsSchema },
  responses: { 200: jsonResponse(TicketSchema, 'The ticket') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/tickets/{ticketId}',
  tags,
  operationId: 'updateTicket',
  summary: 'Change a ticket’s fields, assignee or parent (status changes through transition, move, claim)',
  access: { role: 'member', scope: 'tickets:write' },
  request: {
    params: TicketParamsSchema,
    body: jsonBody(
      TicketFieldsSchema.partial().extend({
        parent_id: z.string().max(100).nullable().optional(),
        resolution: z.string().max(2000).nullable().optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(TicketSchema, 'The ticket') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/tickets/{ticketId}',
  tags,
  operationId: 'deleteTicket',
  summary: 'Delete a ticket with its subtasks, comments and dependencies',
  access: { role: 'member', scope: 'tickets:write' },
  request: { params: TicketParamsSchema },
  responses: { 204: noContent },
});

function assigneeFilter(c: Parameters<typeof resolveAssignee>[0], v: string | undefined) {
  if (v === undefined) return undefined;
  if (v === 'none') return 'none' as const;
  if (v === 'me') return resolveAssignee(c, { type: 'user', id: 'me' }, 'assignee');
  return { type: v.startsWith('agt_') ? ('agent' as const) : ('user' as const), id: v };
}

export const ticketsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      statuses: q.status,
      priorities: q.priority?.map(priorityRank),
      assignee: assigneeFilter(c, q.assignee),
      projectId: q.project_id,
      parentId: q.parent_id,
      label: q.label,
      q: q.q,
      includeSubtasks: q.include_subtasks === 'true',
    };
    const page =
      q.q === undefined
        ? await paged(c.env, q, (p) => listTickets(c.var.ctx, filter, p), toTicket)
        : await paged(
            c.env,
            q,
            (p) => searchTickets(c.var.ctx, q.q ?? '', filter, p),
            (r) => toTicket(r),
            searchCursor,
          );
    return c.json(page, 200);
  })
  .openapi(createTicketRoute, async (c) => {
    const b = c.req.valid('json');
    const ticket = await createTicket(c.var.ctx, {
      ...toFields(c, b),
      title: b.title,
      projectId: b.project_id,
      parentId: b.parent_id,
    });
    return c.json(toTicket(ticket), 201);
  })
  .openapi(bulkRoute, async (c) => {
    const b = c.req.valid('json');
    const created = await bulkCreateTickets(
      c.var.ctx,
      b.project_id,
      b.tickets.map((t, i) => ({
        ...toFields(c, t, `tickets.${i}.`),
        title: t.title,
        ref: t.ref,
        parent: t.parent,
        dependsOn: t.depends_on,
      })),
    );
    return c.json({ data: created.map((r) => ({ ref: r.ref, ticket: toTicket(r.ticket) })) }, 201);
  })
  .openapi(getRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    return c.json(toTicket(await getTicket(c.var.db, c.var.org.id, ticketId)), 200);
  })
  .openapi(updateRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const b = c.req.valid('json');
    const ticket = await updateTicket(c.var.ctx, ticketId, {
      ...toFields(c, b),
      parentId: b.parent_id,
      resolution: b.resolution,
    });
    return c.json(toTicket(ticket), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    await deleteTicket(c.var.ctx, ticketId);
    return c.body(null, 204);
  });
