import { z } from '@hono/zod-openapi';
import { ROUTING_MATCHES } from '../../db/schema';
import { assertAgentInOrg } from '../../domain/agents/shared';
import { resolveModel } from '../../domain/models/resolve';
import {
  defaultModelId,
  listRoutingRules,
  type RoutingRule,
  replaceRoutingRules,
} from '../../domain/models/routing';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { ModelSchema, tags, toModel } from './schemas';

const RuleSchema = z
  .object({
    match: z
      .enum(ROUTING_MATCHES)
      .openapi({ description: 'Match the call’s topic, or one of its (or its agent’s) tags' }),
    value: z.string().trim().min(1).max(100).openapi({ description: 'Compared without regard to case' }),
    model_id: z.string().max(64),
  })
  .openapi('RoutingRule');

const RoutingSchema = z
  .object({
    rules: z.array(RuleSchema).openapi({ description: 'In order; the first rule that matches wins' }),
    default_model_id: z
      .string()
      .nullable()
      .openapi({ description: 'Used when nothing else chooses a model' }),
  })
  .openapi('ModelRouting');

const toRule = (r: RoutingRule) => ({ match: r.match, value: r.value, model_id: r.modelId });

const getRoutingRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/models/routing',
  tags,
  operationId: 'getModelRouting',
  summary: 'The topic and tag routing rules and the default model',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema },
  responses: { 200: jsonResponse(RoutingSchema, 'The routing') },
});

const putRoutingRoute = orgRoute({
  method: 'put',
  path: '/orgs/{orgId}/models/routing',
  tags,
  operationId: 'replaceModelRouting',
  summary: 'Replace the routing rules (admins)',
  access: { role: 'admin', scope: 'models:write' },
  request: {
    params: OrgParamsSchema,
    body: jsonBody(z.object({ rules: z.array(RuleSchema).max(100) })),
  },
  responses: { 200: jsonResponse(RoutingSchema, 'The routing') },
});

const StepSchema = z.object({
  source: z.enum(['explicit', 'agent', 'role', 'routing', 'default', 'development']),
  model_id: z.string().nullable(),
  outcome: z.enum(['chosen', 'not_set', 'no_match', 'missing', 'disabled']),
  detail: z.string(),
});

const resolveRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/models/resolve',
  tags,
  operationId: 'resolveModel',
  summary:
    'Which model a call would use and why: explicit → agent → role → routing rule → default → development model',
  access: { role: 'viewer', scope: 'models:read' },
  request: {
    params: OrgParamsSchema,
    body: jsonBody(
      z.object({
        model: z
          .string()
          .max(200)
          .nullable()
          .optional()
          .openapi({ description: 'An explicit model (id or name)' }),
        agent_id: z.string().max(64).nullable().optional(),
        topic: z.string().max(100).nullable().optional(),
        tags: z.array(z.string().max(100)).max(50).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        model: ModelSchema.nullable().openapi({ description: 'Null when no model can be used' }),
        source: StepSchema.shape.source.nullable(),
        steps: z
          .array(StepSchema)
          .openapi({ description: 'Each step looked at, in order, and what it found' }),
      }),
      'The resolution',
    ),
  },
});

export const routingRouter = createRouter()
  .openapi(getRoutingRoute, async (c) => {
    const [rules, defaultId] = await Promise.all([listRoutingRules(c.var.ctx), defaultModelId(c.var.ctx)]);
    return c.json({ rules: rules.map(toRule), default_model_id: defaultId }, 200);
  })
  .openapi(putRoutingRoute, async (c) => {
    const { rules } = c.req.valid('json');
    const saved = await replaceRoutingRules(
      c.var.ctx,
      rules.map((r) => ({ match: r.match, value: r.value, modelId: r.model_id })),
    );
    return c.json({ rules: saved.map(toRule), default_model_id: await defaultModelId(c.var.ctx) }, 200);
  })
  .openapi(resolveRoute, async (c) => {
    const { ctx } = c.var;
    const b = c.req.valid('json');
    if (b.agent_id) await assertAgentInOrg(ctx.db, ctx.orgId, b.agent_id);
    const [r, defaultId] = await Promise.all([
      resolveModel(ctx.db, ctx.env, {
        orgId: ctx.orgId,
        model: b.model,
        agentId: b.agent_id,
        topic: b.topic,
        tags: b.tags,
      }),
      defaultModelId(ctx),
    ]);
    return c.json(
      {
        model: r.model ? toModel(r.model, defaultId) : null,
        source: r.source,
        steps: r.steps.map((s) => ({
          source: s.source,
          model_id: s.modelId,
          outcome: s.outcome,
          detail: s.detail,
        })),
      },
      200,
    );
  });
