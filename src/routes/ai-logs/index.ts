import { z } from '@hono/zod-openapi';
import { aiCallStats, pageAiCalls, usage } from '../../domain/models/ai-logs';
import { jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso } from '../../lib/time';
import {
  AiCallSchema,
  FilterSchema,
  GroupSchema,
  RangeSchema,
  TotalsSchema,
  tags,
  toAiCall,
  toFilter,
  toGroup,
  toTotals,
} from './schemas';

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/ai-logs',
  tags,
  operationId: 'listAiCalls',
  summary:
    'AI call log, newest first: one row per attempt, filtered by provider, model, agent, user, purpose, status, time',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: PageQuerySchema.extend(FilterSchema.shape) },
  responses: { 200: jsonResponse(pageOf(AiCallSchema), 'A page of AI calls') },
});

const statsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/ai-logs/stats',
  tags,
  operationId: 'getAiCallStats',
  summary:
    'Totals of the AI calls the filters select: outcomes, tokens, cost, latency, error kinds, by model',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: FilterSchema },
  responses: {
    200: jsonResponse(
      z.object({
        totals: TotalsSchema,
        error_kinds: z.record(z.string(), z.number().int()),
        by_model: z.array(GroupSchema),
      }),
      'The statistics',
    ),
  },
});

const usageRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/usage',
  tags,
  operationId: 'getModelUsage',
  summary:
    'Token use and cost for a range (default: the last 30 days) by day, model, agent, user and purpose',
  access: { role: 'viewer', scope: 'models:read' },
  request: { params: OrgParamsSchema, query: RangeSchema },
  responses: {
    200: jsonResponse(
      z.object({
        from: z.iso.datetime(),
        to: z.iso.datetime(),
        totals: TotalsSchema,
        by_day: z.array(GroupSchema),
        by_model: z.array(GroupSchema),
        by_agent: z.array(GroupSchema),
        by_user: z.array(GroupSchema),
        by_purpose: z.array(GroupSchema),
      }),
      'The usage',
    ),
  },
});

export const aiLogRoutes = createRouter()
  .openapi(statsRoute, async (c) => {
    const s = await aiCallStats(c.var.ctx, toFilter(c.req.valid('query')));
    return c.json(
      { totals: toTotals(s.totals), error_kinds: s.errorKinds, by_model: s.byModel.map(toGroup) },
      200,
    );
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => pageAiCalls(c.var.ctx, toFilter(q), p), toAiCall), 200);
  })
  .openapi(usageRoute, async (c) => {
    const { from, to } = toFilter(c.req.valid('query'));
    const u = await usage(c.var.ctx, { from, to });
    return c.json(
      {
        from: iso(u.from),
        to: iso(u.to),
        totals: toTotals(u.totals),
        by_day: u.byDay.map(toGroup),
        by_model: u.byModel.map(toGroup),
        by_agent: u.byAgent.map(toGroup),
        by_user: u.byUser.map(toGroup),
        by_purpose: u.byPurpose.map(toGroup),
      },
      200,
    );
  });
