import { z } from '@hono/zod-openapi';
import type { OrgCtx } from '../../domain/context';
import { callerOf } from '../../domain/models/caller';
import { modelHealth } from '../../domain/models/health';
import { callToEnd, type ModelCallSummary } from '../../domain/models/model-test';
import { enabledModelIds, getModel } from '../../domain/models/models';
import { DEV_MODEL_ID, loadModels } from '../../domain/models/registry';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { HOUR, iso } from '../../lib/time';
import { gatewayProblem } from '../openai/gateway-errors';
import { ModelParamsSchema, tags } from './schemas';

const Percentiles = z.object({ p50: z.number().int().nullable(), p95: z.number().int().nullable() });

const CallSchema = z
  .object({
    ok: z.boolean(),
    model: z
      .object({ id: z.string(), name: z.string(), provider: z.string(), dev: z.boolean() })
      .nullable()
      .openapi({ description: 'The model that answered (a fallback, when `attempt` > 1)' }),
    attempt: z.number().int().nullable(),
    reply: z.string(),
    tool_calls: z.array(z.object({ tool_call_id: z.string(), tool_name: z.string(), input: z.unknown() })),
    finish_reason: z.string().nullable(),
    usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).nullable(),
    cost_usd: z.number().nullable(),
    error: z
      .object({ kind: z.string(), message: z.string(), status: z.number().int().nullable() })
      .nullable(),
    timings: z.object({
      ttft_ms: z.number().int().nullable().openapi({ description: 'Time to the first token' }),
      total_ms: z.number().int(),
    }),
  })
  .openapi('ModelCallResult');

const toCall = (s: ModelCallSummary): z.infer<typeof CallSchema> => ({
  ok: s.error === null,
  model: s.model,
  attempt: s.attempt,
  reply: s.reply,
  tool_calls: s.toolCalls.map((t) => ({ tool_call_id: t.toolCallId, tool_name: t.toolName, input: t.input })),
  finish_reason: s.finishReason,
  usage: s.usage && { input_tokens: s.usage.inputTokens, output_tokens: s.usage.outputTokens },
  cost_usd: s.costUsd,
  error: s.error && { kind: s.error.kind, message: s.error.message, status: s.error.status ?? null },
  timings: { ttft_ms: s.ttftMs, total_ms: s.totalMs },
});

const healthRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/models/health',
  tags,
  operationId: 'getModelHealth',
  summary:
    'Per model over recent calls: success rate, error kinds, latency and time to first token (p50/p95); `probe=true` also makes a one-token call to each enabled model now',
  access: { role: 'viewer', scope: 'models:read' },
  request: {
    params: OrgParamsSchema,
    query: z.object({
      hours: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(24)
        .openapi({ description: 'How far back to look' }),
      probe: z
        .enum(['true', 'false'])
        .default('false')
        .openapi({ description: 'Also probe each enabled model now' }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        since: z.iso.datetime(),
        models: z.array(
          z.object({
            model_id: z.string(),
            model_name: z.string(),
            provider_kind: z.string(),
            calls: z.number().int(),
            success_rate: z.number(),
            error_kinds: z.record(z.string(), z.number().int()),
            latency_ms: Percentiles,
            ttft_ms: Percentiles,
            last_call_at: z.iso.datetime(),
            last_error: z.string().nullable(),
          }),
        ),
        probes: z.array(CallSchema).openapi({ description: 'With `probe=true`: one call per enabled model' }),
      }),
      'Health',
    ),
  },
});

const testRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/models/{modelId}/test',
  tags,
  operationId: 'testModel',
  summary: 'A real call through the gateway with a prompt: the reply, usage and timings (budgets apply: 402)',
  access: { role: 'member', scope: 'models:call' },
  request: {
    params: ModelParamsSchema,
    body: jsonBody(
      z.object({
        prompt: z.string().min(1).max(20_000).default('Say hello.'),
        system: z.string().max(20_000).optional(),
        max_output_tokens: z.number().int().min(1).max(4096).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(CallSchema, 'The outcome; a provider failure is `ok: false` with the error'),
    402: { $ref: '#/components/responses/BudgetExceeded' },
  },
});

/** Probes go to the organization's enabled models, at most this many at once. */
const MAX_PROBES = 10;

async function probeAll(ctx: OrgCtx) {
  const ids = await enabledModelIds(ctx, MAX_PROBES);
  const targets = await loadModels(ctx.db, ctx.env, ctx.orgId, [DEV_MODEL_ID, ...ids]);
  return Promise.all(
    targets.map((m) =>
      callToEnd(
        ctx.env,
        {
          caller: callerOf(ctx, 'probe'),
          model: m.id,
          messages: [{ role: 'user', content: 'ping' }],
          maxOutputTokens: 1,
        },
        ctx.defer,
      ),
    ),
  );
}

export const healthRouter = createRouter()
  .openapi(healthRoute, async (c) => {
    const { ctx } = c.var;
    const q = c.req.valid('query');
    const since = Date.now() - q.hours * HOUR;
    const probes = q.probe === 'true' ? await probeAll(ctx) : [];
    const models = await modelHealth(ctx, since);
    return c.json(
      {
        since: iso(since),
        models: models.map((m) => ({
          model_id: m.modelId,
          model_name: m.modelName,
          provider_kind: m.providerKind,
          calls: m.calls,
          success_rate: m.successRate,
          error_kinds: m.errorKinds,
          latency_ms: m.latencyMs,
          ttft_ms: m.ttftMs,
          last_call_at: iso(m.lastCallAt),
          last_error: m.lastError,
        })),
        probes: probes.map(toCall),
      },
      200,
    );
  })
  .openapi(testRoute, async (c) => {
    const { ctx } = c.var;
    const { modelId } = c.req.valid('param');
    const b = c.req.valid('json');
    await getModel(ctx, modelId);
    const summary = await callToEnd(
      ctx.env,
      {
        caller: callerOf(ctx, 'model_test'),
        model: modelId,
        system: b.system,
        messages: [{ role: 'user', content: b.prompt }],
        maxOutputTokens: b.max_output_tokens,
      },
      ctx.defer,
    );
    if (summary.error?.kind === 'budget_exceeded') throw gatewayProblem(summary.error);
    return c.json(toCall(summary), 200);
  });
