import { z } from '@hono/zod-openapi';
import { claimTicket, moveTicket, transitionTicket } from '../../domain/work/status';
import { board, nextTicket } from '../../domain/work/ticket-lists';
import { TRANSITIONS } from '../../domain/work/workflow';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { OrgParamsSchema, pathId } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  AssigneeInputSchema,
  resolveAssignee,
  StatusSchema,
  TicketParamsSchema,
  TicketSchema,
  tags,
  toTicket,
} from './schemas';

const workflow = Object.entries(TRANSITIONS)
  .map(([from, to]) => `${from} → ${to.join(' | ')}`)
  .join('; ');

const claimRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/{ticketId}/claim',
  tags,
  operationId: 'claimTicket',
  summary:
    'Take a ready ticket (todo, unassigned, dependencies done) and start it; of racing claims one wins',
  description: 'Others get 409. The assignee defaults to the signed-in user; API keys name one.',
  access: { role: 'member', scope: 'tickets:write' },
  conflicts: true,
  request: {
    params: TicketParamsSchema,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ assignee: AssigneeInputSchema.optional() }) } },
    },
  },
  responses: { 200: jsonResponse(TicketSchema, 'The claimed ticket, now in progress') },
});

const transitionRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/{ticketId}/transition',
  tags,
  operationId: 'transitionTicket',
  summary: 'Change a ticket’s status along the workflow',
  description: `Allowed transitions: ${workflow}. Others answer 409 naming the allowed ones; starting a ticket whose dependencies are not done answers 409.`,
  access: { role: 'member', scope: 'tickets:write' },
  conflicts: true,
  request: {
    params: TicketParamsSchema,
    body: jsonBody(z.object({ status: StatusSchema, resolution: z.string().max(2000).optional() })),
  },
  responses: { 200: jsonResponse(TicketSchema, 'The ticket') },
});

const moveRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/{ticketId}/move',
  tags,
  operationId: 'moveTicket',
  summary: 'Move a ticket on the board: to a status column (by the workflow) and a position in it',
  access: { role: 'member', scope: 'tickets:write' },
  request: {
    params: TicketParamsSchema,
    body: jsonBody(
      z.object({
        status: StatusSchema,
        position: z.number().optional().openapi({ description: 'Defaults to the end of the column' }),
      }),
    ),
  },
  responses: { 200: jsonResponse(TicketSchema, 'The ticket') },
});

const nextRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/tickets/next',
  tags,
  operationId: 'nextTicket',
  summary: 'The most urgent ready ticket for an assignee (theirs or unassigned, dependencies done)',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: {
    params: OrgParamsSchema,
    query: z.object({
      assignee: z
        .string()
        .max(100)
        .default('me')
        .openapi({ description: '`me` or a user (`usr_…`) or agent (`agt_…`) id' }),
      project_id: z.string().max(100).optional(),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ ticket: TicketSchema.nullable() }), 'The ticket, or null if none is ready'),
  },
});

const boardRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/board',
  tags,
  operationId: 'projectBoard',
  summary: 'The project’s board: top-level tickets grouped by status, ordered by position',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: {
    params: OrgParamsSchema.extend({ projectId: pathId('projectId', 'prj_01hv…') }),
    query: z.object({ per_column: z.coerce.number().int().min(1).max(500).default(100) }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        columns: z.array(
          z.object({ status: StatusSchema, total: z.number().int(), tickets: z.array(TicketSchema) }),
        ),
      }),
      'The board',
    ),
  },
});

export const ticketWorkflowRouter = createRouter()
  .openapi(nextRoute, async (c) => {
    const q = c.req.valid('query');
    const assignee = resolveAssignee(c, {
      type: q.assignee.startsWith('agt_') ? 'agent' : 'user',
      id: q.assignee,
    });
    const ticket = await nextTicket(c.var.db, c.var.org.id, assignee, q.project_id);
    return c.json({ ticket: ticket ? toTicket(ticket) : null }, 200);
  })
  .openapi(claimRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const body = c.req.header('Content-Type')?.includes('json') ? c.req.valid('json') : {};
    const assignee = resolveAssignee(c, body.assignee ?? { type: 'user', id: 'me' });
    return c.json(toTicket(await claimTicket(c.var.ctx, ticketId, assignee)), 200);
  })
  .openapi(transitionRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const b = c.req.valid('json');
    return c.json(toTicket(await transitionTicket(c.var.ctx, ticketId, b.status, b.resolution)), 200);
  })
  .openapi(moveRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const b = c.req.valid('json');
    return c.json(toTicket(await moveTicket(c.var.ctx, ticketId, b.status, b.position)), 200);
  })
  .openapi(boardRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const columns = await board(c.var.db, c.var.org.id, projectId, c.req.valid('query').per_column);
    return c.json(
      {
        columns: columns.map((col) => ({
          status: col.status,
          total: col.total,
          tickets: col.tickets.map(toTicket),
        })),
      },
      200,
    );
  });
