import {
  createBudget,
  deleteBudget,
  getBudget,
  pageBudgets,
  updateBudget,
} from '../../domain/models/budgets';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import {
  BudgetParamsSchema,
  BudgetSchema,
  CreateBudgetSchema,
  tags,
  toBudget,
  UpdateBudgetSchema,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/budgets',
  tags,
  operationId: 'listBudgets',
  summary: 'Monthly model budgets with this month’s spend and what remains',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(BudgetSchema), 'A page of budgets') },
});

const createRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/budgets',
  tags,
  operationId: 'createBudget',
  summary: 'Create a monthly budget for the organization or one agent, in tokens or USD (admins)',
  access: { role: 'admin', scope: 'models:write' },
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateBudgetSchema) },
  responses: { 201: jsonResponse(BudgetSchema, 'The budget') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/budgets/{budgetId}',
  tags,
  operationId: 'getBudget',
  summary: 'A budget with this month’s spend',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: BudgetParamsSchema },
  responses: { 200: jsonResponse(BudgetSchema, 'The budget') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/budgets/{budgetId}',
  tags,
  operationId: 'updateBudget',
  summary: 'Change a budget’s limit, soft threshold or enabled state (admins)',
  access: { role: 'admin', scope: 'models:write' },
  request: { params: BudgetParamsSchema, body: jsonBody(UpdateBudgetSchema) },
  responses: { 200: jsonResponse(BudgetSchema, 'The budget') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/budgets/{budgetId}',
  tags,
  operationId: 'deleteBudget',
  summary: 'Delete a budget (admins)',
  access: { role: 'admin', scope: 'models:write' },
  request: { params: BudgetParamsSchema },
  responses: { 204: noContent },
});

export const budgetRoutes = createRouter()
  .openapi(listRoute, async (c) =>
    c.json(await paged(c.env, c.req.valid('query'), (p) => pageBudgets(c.var.ctx, p), toBudget), 200),
  )
  .openapi(createRoute, async (c) => {
    const b = c.req.valid('json');
    const budget = await createBudget(c.var.ctx, {
      agentId: b.agent_id,
      metric: b.metric,
      limit: b.limit,
      softThreshold: b.soft_threshold,
      enabled: b.enabled,
    });
    return c.json(toBudget(budget), 201);
  })
  .openapi(getRoute, async (c) =>
    c.json(toBudget(await getBudget(c.var.ctx, c.req.valid('param').budgetId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const b = c.req.valid('json');
    const budget = await updateBudget(c.var.ctx, c.req.valid('param').budgetId, {
      limit: b.limit,
      softThreshold: b.soft_threshold,
      enabled: b.enabled,
    });
    return c.json(toBudget(budget), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteBudget(c.var.ctx, c.req.valid('param').budgetId);
    return c.body(null, 204);
  });
