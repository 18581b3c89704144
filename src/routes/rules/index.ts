import { z } from '@hono/zod-openapi';
import {
  createRule,
  deleteRule,
  getRule,
  listRules,
  type RuleRow,
  updateRule,
} from '../../domain/agent-design/rules';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

const tags = ['Agent rules'];

const CategorySchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'Lowercase letters, digits, "_" and "-"')
  .openapi({ example: 'security' });

const RuleSchema = z
  .object({
    id: z.string().openapi({ example: 'rul_01hv…' }),
    rule: z.string(),
    agent_id: z.string().nullable().openapi({ description: 'Null: the rule applies to every agent' }),
    category: z.string(),
    permanent: z.boolean().openapi({ description: 'Permanent rules cannot be deleted' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('AgentRule');

const toRule = (r: RuleRow): z.infer<typeof RuleSchema> => ({
  id: r.id,
  rule: r.rule,
  agent_id: r.agentId,
  category: r.category,
  permanent: r.permanent,
  created_by: r.createdBy,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

const Params = OrgParamsSchema.extend({ ruleId: pathId('ruleId', 'rul_01hv…') });
const RuleText = z.string().min(1).max(4000);

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/rules',
  tags,
  operationId: 'listRules',
  summary: 'Rules, newest first: for one agent (its own and the universal ones), by scope or category',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: PageQuerySchema.extend({
      agent_id: z.string().max(64).optional(),
      scope: z
        .enum(['all', 'agent'])
        .optional()
        .openapi({ description: '`all`: universal rules only; `agent`: agent-scoped only' }),
      category: CategorySchema.optional(),
      permanent: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(RuleSchema), 'A page of rules') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/rules',
  tags,
  operationId: 'createRule',
  summary: 'Create a rule for one agent or (without agent_id) for all',
  access: canDesign,
  idempotent: true,
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z
        .object({
          rule: RuleText,
          agent_id: z.string().max(64).nullable().optional(),
          category: CategorySchema.optional().openapi({ description: 'Defaults to `general`' }),
          permanent: z.boolean().optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(RuleSchema, 'The rule') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/rules/{ruleId}',
  tags,
  operationId: 'getRule',
  summary: 'A rule',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(RuleSchema, 'The rule') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/rules/{ruleId}',
  tags,
  operationId: 'updateRule',
  summary: "Change a rule's text, category or agent; permanence is set at creation",
  access: canDesign,
  request: {
    params: Params,
    body: jsonBody(
      z
        .object({
          rule: RuleText.optional(),
          category: CategorySchema.optional(),
          agent_id: z.string().max(64).nullable().optional(),
        })
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(RuleSchema, 'The rule') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/rules/{ruleId}',
  tags,
  operationId: 'deleteRule',
  summary: 'Delete a rule; permanent rules answer 409',
  access: canDesign,
  conflicts: true,
  request: { params: Params },
  responses: { 204: noContent },
});

export const rulesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      agentId: q.agent_id,
      scope: q.scope,
      category: q.category,
      permanent: q.permanent === undefined ? undefined : q.permanent === 'true',
    };
    const rows = await listRules(
      c.var.db,
      c.var.org.id,
      filter,
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toRule), 200);
  })
  .openapi(createRoute_, async (c) => {
    const row = await createRule(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toRule(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const row = await getRule(c.var.db, c.var.org.id, c.req.valid('param').ruleId);
    return c.json(toRule(row), 200);
  })
  .openapi(updateRoute, async (c) => {
    const row = await updateRule(ctxOf(c), c.var.org.id, c.req.valid('param').ruleId, c.req.valid('json'));
    return c.json(toRule(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteRule(ctxOf(c), c.var.org.id, c.req.valid('param').ruleId);
    return c.body(null, 204);
  });
