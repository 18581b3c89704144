import { z } from '@hono/zod-openapi';
import { PROVIDER_KINDS } from '../../db/schema';
import type { KnownModel } from '../../domain/models/catalog';
import type { ConnectionTestResult } from '../../domain/models/connection-test';
import type { ProviderRow } from '../../domain/models/providers';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso } from '../../lib/time';

export const tags = ['Models'];

export const ProviderParamsSchema = OrgParamsSchema.extend({ providerId: pathId('providerId', 'prv_01hv…') });

const KindSchema = z.enum(PROVIDER_KINDS).openapi({
  description:
    '`openai`, `anthropic`, `openai_compatible` (vLLM, OpenRouter, any OpenAI-compatible server), `ollama`, `litellm`, `dev` (the built-in development model; development only) or `workers_ai` (needs an AI binding)',
});

const BaseUrlSchema = z.string().max(500).nullable().openapi({
  description:
    'The API base URL (e.g. `https://openrouter.ai/api/v1`, `http://localhost:11434` for Ollama); required for openai_compatible, ollama and litellm. Private addresses are refused outside development.',
});

const ApiKeySchema = z
  .string()
  .min(1)
  .max(4000)
  .openapi({ description: 'The provider API key; stored in the vault and never returned' });

export const ProviderSchema = z
  .object({
    id: z.string().openapi({ example: 'prv_01hv…' }),
    kind: KindSchema,
    name: z.string(),
    base_url: z.string().nullable(),
    has_api_key: z
      .boolean()
      .openapi({ description: 'Whether a key is stored (the key itself is never returned)' }),
    key_vault_item_id: z.string().nullable().openapi({ description: 'The vault item holding the key' }),
    enabled: z.boolean(),
    dev: z.boolean().openapi({ description: 'The development provider: deterministic, no network' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('ModelProvider');

export const toProvider = (p: ProviderRow): z.infer<typeof ProviderSchema> => ({
  id: p.id,
  kind: p.kind,
  name: p.name,
  base_url: p.baseUrl,
  has_api_key: p.keyItemId !== null,
  key_vault_item_id: p.keyItemId,
  enabled: p.enabled,
  dev: p.kind === 'dev',
  created_by: p.createdBy,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

export const CreateProviderSchema = z.object({
  kind: KindSchema,
  name: z.string().trim().min(1).max(100),
  base_url: BaseUrlSchema.optional(),
  api_key: ApiKeySchema.optional(),
  enabled: z.boolean().optional(),
});

export const UpdateProviderSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  base_url: BaseUrlSchema.optional(),
  api_key: ApiKeySchema.nullable()
    .optional()
    .openapi({ description: 'A new key replaces the old one at once; null removes it' }),
  enabled: z.boolean().optional(),
});

export const ConnectionTestSchema = z.union([
  z.object({
    provider_id: z.string().max(64).openapi({ description: 'Test a saved provider with its stored key' }),
  }),
  z.object({ kind: KindSchema, base_url: BaseUrlSchema.optional(), api_key: ApiKeySchema.optional() }),
]);

export const ConnectionTestResultSchema = z
  .object({
    ok: z.boolean(),
    stage: z
      .enum(['settings', 'connect', 'auth', 'list', 'call'])
      .nullable()
      .openapi({ description: 'The step that failed; null when the test passed' }),
    message: z.string().openapi({ description: 'What happened, and on failure what to change' }),
    status: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The provider’s HTTP status, when it answered one' }),
    model_count: z.number().int().nullable(),
    latency_ms: z.number().int(),
  })
  .openapi('ProviderConnectionTest');

export const toTestResult = (r: ConnectionTestResult): z.infer<typeof ConnectionTestResultSchema> => ({
  ok: r.ok,
  stage: r.stage,
  message: r.message,
  status: r.status,
  model_count: r.modelCount,
  latency_ms: r.latencyMs,
});

export const KnownModelSchema = z
  .object({
    id: z.string().openapi({ description: 'The provider’s model id (use as `provider_model_id`)' }),
    context_window: z.number().int().nullable(),
    input_price_per_million: z.number().nullable(),
    output_price_per_million: z.number().nullable(),
  })
  .openapi('KnownModel');

export const toKnownModel = (m: KnownModel): z.infer<typeof KnownModelSchema> => ({
  id: m.id,
  context_window: m.contextWindow,
  input_price_per_million: m.inputPricePerMillion,
  output_price_per_million: m.outputPricePerMillion,
});
