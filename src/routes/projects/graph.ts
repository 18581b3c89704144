import { z } from '@hono/zod-openapi';
import { dependencyGraph, executionOrder, type GraphNode } from '../../domain/work/dependencies';
import { jsonResponse } from '../../http/openapi';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { AssigneeSchema, PrioritySchema, StatusSchema } from '../tickets/schemas';
import { ProjectParamsSchema, tags } from './schemas';

const NodeSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: StatusSchema,
  priority: PrioritySchema,
  parent_id: z.string().nullable(),
  assignee: AssigneeSchema.nullable(),
});

const toNode = (n: GraphNode) => ({
  id: n.id,
  title: n.title,
  status: n.status,
  priority: `P${n.priority}` as z.infer<typeof PrioritySchema>,
  parent_id: n.parentId,
  assignee: n.assigneeType && n.assigneeId ? { type: n.assigneeType, id: n.assigneeId } : null,
});

const graphRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/dependency-graph',
  tags,
  operationId: 'projectDependencyGraph',
  summary: 'The project’s dependency graph, ready for D3: nodes, and links from prerequisite to dependent',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: ProjectParamsSchema },
  responses: {
    200: jsonResponse(
      z
        .object({
          nodes: z.array(
            NodeSchema.extend({ level: z.number().int().openapi({ description: 'Execution level' }) }),
          ),
          links: z.array(
            z.object({
              source: z.string().openapi({ description: 'The ticket that must be done first' }),
              target: z.string().openapi({ description: 'The ticket that waits for it' }),
            }),
          ),
        })
        .openapi('DependencyGraph'),
      'The graph',
    ),
  },
});

const orderRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/projects/{projectId}/execution-order',
  tags,
  operationId: 'projectExecutionOrder',
  summary: 'A topological order of the project’s tickets in levels; tickets of one level can run in parallel',
  description:
    'Level 0 depends on nothing; every ticket is one level above its highest dependency, so levels are as few as possible. Within a level, most urgent first.',
  access: { role: 'viewer', scope: 'projects:read' },
  request: { params: ProjectParamsSchema },
  responses: {
    200: jsonResponse(
      z
        .object({
          total: z.number().int(),
          levels: z.array(z.object({ level: z.number().int(), tickets: z.array(NodeSchema) })),
        })
        .openapi('ExecutionOrder'),
      'The order',
    ),
  },
});

export const projectGraphRouter = createRouter()
  .openapi(graphRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const g = await dependencyGraph(c.var.db, c.var.org.id, projectId);
    return c.json(
      {
        nodes: g.nodes.map((n) => ({ ...toNode(n), level: n.level })),
        links: g.edges.map((e) => ({ source: e.dependsOnId, target: e.ticketId })),
      },
      200,
    );
  })
  .openapi(orderRoute, async (c) => {
    const { projectId } = c.req.valid('param');
    const levels = await executionOrder(c.var.db, c.var.org.id, projectId);
    return c.json(
      {
        total: levels.reduce((n, l) => n + l.length, 0),
        levels: levels.map((tickets, level) => ({ level, tickets: tickets.map(toNode) })),
      },
      200,
    );
  });
