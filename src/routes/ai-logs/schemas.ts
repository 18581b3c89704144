import { z } from '@hono/zod-openapi';
import { AI_CALL_STATUSES, MODEL_PURPOSES, PROVIDER_KINDS } from '../../db/schema';
import type { AiCall, AiLogFilter } from '../../domain/models/ai-logs';
import { iso } from '../../lib/time';

export const tags = ['Models'];

export const AiCallSchema = z
  .object({
    id: z.string().openapi({ example: 'aic_01hv…' }),
    call_id: z.string().openapi({ description: 'Shared by the attempts of one call (a fallback chain)' }),
    attempt: z.number().int().openapi({ description: '1 for the first model, 2 for its first fallback…' }),
    provider_id: z.string().nullable(),
    provider_kind: z.enum(PROVIDER_KINDS),
    model_id: z.string(),
    model_name: z.string(),
    dev: z.boolean().openapi({ description: 'Made by a development model' }),
    purpose: z.enum(MODEL_PURPOSES),
    agent_id: z.string().nullable(),
    user_id: z.string().nullable(),
    api_key_id: z.string().nullable(),
    run_id: z.string().nullable(),
    step_key: z.string().nullable(),
    chat_session_id: z.string().nullable(),
    status: z.enum(AI_CALL_STATUSES),
    error_kind: z.string().nullable(),
    error_message: z.string().nullable(),
    http_status: z.number().int().nullable(),
    finish_reason: z.string().nullable(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    usage_estimated: z.boolean().openapi({
      description:
        'The provider reported no usage (the call was cancelled or broke mid-stream): the tokens are estimated at 4 characters a token from the prompt and the streamed output',
    }),
    cost_usd: z
      .number()
      .nullable()
      .openapi({ description: 'Estimated from the model’s prices; null when unknown' }),
    latency_ms: z.number().int(),
    ttft_ms: z.number().int().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('AiCall');

export const toAiCall = (r: AiCall): z.infer<typeof AiCallSchema> => ({
  id: r.id,
  call_id: r.callId,
  attempt: r.attempt,
  provider_id: r.providerId,
  provider_kind: r.providerKind,
  model_id: r.modelId,
  model_name: r.modelName,
  dev: r.providerKind === 'dev',
  purpose: r.purpose,
  agent_id: r.agentId,
  user_id: r.userId,
  api_key_id: r.apiKeyId,
  run_id: r.runId,
  step_key: r.stepKey,
  chat_session_id: r.chatSessionId,
  status: r.status,
  error_kind: r.errorKind,
  error_message: r.errorMessage,
  http_status: r.httpStatus,
  finish_reason: r.finishReason,
  input_tokens: r.inputTokens,
  output_tokens: r.outputTokens,
  usage_estimated: r.usageEstimated,
  cost_usd: r.costUsd,
  latency_ms: r.latencyMs,
  ttft_ms: r.ttftMs,
  created_at: iso(r.createdAt),
});

export const RangeSchema = z.object({
  from: z.iso.datetime().optional().openapi({ description: 'From this instant (inclusive)' }),
  to: z.iso.datetime().optional().openapi({ description: 'Until this instant (exclusive)' }),
});

export const FilterSchema = RangeSchema.extend({
  provider: z.string().max(64).optional().openapi({ description: 'A provider id or kind' }),
  model: z.string().max(200).optional().openapi({ description: 'A model id or name' }),
  agent_id: z.string().max(64).optional(),
  user_id: z.string().max(64).optional(),
  purpose: z.enum(MODEL_PURPOSES).optional(),
  status: z.enum(AI_CALL_STATUSES).optional(),
});

export const toFilter = (q: z.infer<typeof FilterSchema>): AiLogFilter => ({
  provider: q.provider,
  model: q.model,
  agentId: q.agent_id,
  userId: q.user_id,
  purpose: q.purpose,
  status: q.status,
  from: q.from === undefined ? undefined : Date.parse(q.from),
  to: q.to === undefined ? undefined : Date.parse(q.to),
});

export const TotalsSchema = z.object({
  calls: z.number().int(),
  ok: z.number().int(),
  errors: z.number().int(),
  cancelled: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  avg_latency_ms: z.number().nullable(),
  avg_ttft_ms: z.number().nullable(),
});

type TotalsRow = {
  calls: number | null;
  ok: number | null;
  errors: number | null;
  cancelled: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  avgLatencyMs: number | null;
  avgTtftMs: number | null;
};

export const toTotals = (t: TotalsRow): z.infer<typeof TotalsSchema> => ({
  calls: t.calls ?? 0,
  ok: t.ok ?? 0,
  errors: t.errors ?? 0,
  cancelled: t.cancelled ?? 0,
  input_tokens: t.inputTokens ?? 0,
  output_tokens: t.outputTokens ?? 0,
  cost_usd: t.costUsd ?? 0,
  avg_latency_ms: t.avgLatencyMs || null,
  avg_ttft_ms: t.avgTtftMs || null,
});

export const GroupSchema = TotalsSchema.extend({
  key: z
    .string()
    .nullable()
    .openapi({ description: 'The day, model, agent, user or purpose; null when not set' }),
});

export const toGroup = (g: TotalsRow & { key: string | null }): z.infer<typeof GroupSchema> => ({
  key: g.key,
  ...toTotals(g),
});
