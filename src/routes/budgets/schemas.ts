import { z } from '@hono/zod-openapi';
import { BUDGET_METRICS } from '../../db/schema';
import { type BudgetView, fromAmount } from '../../domain/models/budgets';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['Models'];

export const BudgetParamsSchema = OrgParamsSchema.extend({ budgetId: pathId('budgetId', 'bdg_01hv…') });

export const BudgetSchema = z
  .object({
    id: z.string().openapi({ example: 'bdg_01hv…' }),
    scope: z.enum(['organization', 'agent']),
    agent_id: z.string().nullable(),
    metric: z.enum(BUDGET_METRICS).openapi({ description: '`tokens` (input + output) or `cost` (USD)' }),
    limit: z.number().openapi({ description: 'The monthly hard limit: tokens, or USD' }),
    soft_threshold: z
      .number()
      .nullable()
      .openapi({ description: 'Fraction of the limit that emits budget.threshold_reached' }),
    enabled: z.boolean(),
    period: z.string().openapi({ description: 'The current month (UTC), `YYYY-MM`', example: '2026-11' }),
    spent: z.number(),
    reserved: z.number().openapi({ description: 'Held by calls in flight' }),
    remaining: z.number(),
    threshold_reached_at: z.iso.datetime().nullable(),
    resets_at: z.iso.datetime(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('ModelBudget');

export const toBudget = (b: BudgetView): z.infer<typeof BudgetSchema> => ({
  id: b.id,
  scope: b.agentId ? 'agent' : 'organization',
  agent_id: b.agentId,
  metric: b.metric,
  limit: fromAmount(b.metric, b.limitAmount),
  soft_threshold: b.softThreshold,
  enabled: b.enabled,
  period: b.period,
  spent: fromAmount(b.metric, b.spent),
  reserved: fromAmount(b.metric, b.reserved),
  remaining: fromAmount(b.metric, Math.max(0, b.limitAmount - b.spent - b.reserved)),
  threshold_reached_at: isoOrNull(b.thresholdReachedAt),
  resets_at: iso(b.resetsAt),
  created_at: iso(b.createdAt),
  updated_at: iso(b.updatedAt),
});

const limit = z.number().positive().max(1e12).openapi({ description: 'Tokens (a whole number), or USD' });
const threshold = z.number().gt(0).max(1).nullable();

export const CreateBudgetSchema = z.object({
  agent_id: z
    .string()
    .max(64)
    .nullable()
    .optional()
    .openapi({ description: 'Omit for the organization’s budget' }),
  metric: z.enum(BUDGET_METRICS),
  limit,
  soft_threshold: threshold.optional(),
  enabled: z.boolean().optional(),
});

export const UpdateBudgetSchema = z.object({
  limit: limit.optional(),
  soft_threshold: threshold.optional(),
  enabled: z.boolean().optional(),
});
