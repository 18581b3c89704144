import { z } from '@hono/zod-openapi';
import { addDependency, removeDependency, ticketDependencyLists } from '../../domain/work/dependencies';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { PrioritySchema, StatusSchema, TicketParamsSchema, tags } from './schemas';

const DependencySchema = z
  .object({ ticket_id: z.string(), depends_on_id: z.string(), project_id: z.string() })
  .openapi('TicketDependency');

const LinkedTicketSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: StatusSchema,
  priority: PrioritySchema,
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/tickets/{ticketId}/dependencies',
  tags,
  operationId: 'listTicketDependencies',
  summary: 'What the ticket waits for (`depends_on`) and what waits for it (`blocking`)',
  access: { role: 'viewer', scope: 'tickets:read' },
  request: { params: TicketParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({ depends_on: z.array(LinkedTicketSchema), blocking: z.array(LinkedTicketSchema) }),
      'The dependencies',
    ),
  },
});

const addRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/tickets/{ticketId}/dependencies',
  tags,
  operationId: 'addTicketDependency',
  summary: 'Make the ticket wait for another ticket of its project; a cycle is refused with 409 naming it',
  access: { role: 'member', scope: 'tickets:write' },
  idempotent: true,
  conflicts: true,
  request: {
    params: TicketParamsSchema,
    body: jsonBody(z.object({ depends_on_id: z.string().min(1).max(100) })),
  },
  responses: { 201: jsonResponse(DependencySchema, 'The dependency') },
});

const removeRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/tickets/{ticketId}/dependencies/{dependsOnId}',
  tags,
  operationId: 'removeTicketDependency',
  summary: 'Remove a dependency',
  access: { role: 'member', scope: 'tickets:write' },
  request: { params: TicketParamsSchema.extend({ dependsOnId: pathId('dependsOnId', 'tkt_01hv…') }) },
  responses: { 204: noContent },
});

const toLinked = (t: {
  id: string;
  title: string;
  status: z.infer<typeof StatusSchema>;
  priority: number;
}) => ({
  ...t,
  priority: `P${t.priority}` as z.infer<typeof PrioritySchema>,
});

export const ticketDependenciesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const lists = await ticketDependencyLists(c.var.db, c.var.org.id, ticketId);
    return c.json({ depends_on: lists.dependsOn.map(toLinked), blocking: lists.blocking.map(toLinked) }, 200);
  })
  .openapi(addRoute, async (c) => {
    const { ticketId } = c.req.valid('param');
    const d = await addDependency(ctxOf(c), c.var.org.id, ticketId, c.req.valid('json').depends_on_id);
    return c.json({ ticket_id: d.ticketId, depends_on_id: d.dependsOnId, project_id: d.projectId }, 201);
  })
  .openapi(removeRoute, async (c) => {
    const { ticketId, dependsOnId } = c.req.valid('param');
    await removeDependency(ctxOf(c), c.var.org.id, ticketId, dependsOnId);
    return c.body(null, 204);
  });
