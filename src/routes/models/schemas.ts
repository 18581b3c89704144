import { z } from '@hono/zod-openapi';
import { PROVIDER_KINDS } from '../../db/schema';
import type { CallableModel } from '../../domain/models/registry';
import { OrgParamsSchema, pathId } from '../../http/params';
import { jsonObject } from '../../lib/json-value';
import { isoOrNull } from '../../lib/time';

export const tags = ['Models'];

export const ModelParamsSchema = OrgParamsSchema.extend({ modelId: pathId('modelId', 'mdl_01hv…') });

export const ModelSchema = z
  .object({
    id: z.string().openapi({ description: 'The registry id (`dev` for the built-in development model)' }),
    name: z.string(),
    provider_id: z.string().nullable().openapi({ description: 'Null for the built-in development model' }),
    provider_kind: z.enum(PROVIDER_KINDS),
    provider_model_id: z.string(),
    temperature: z.number().nullable(),
    max_output_tokens: z.number().int().nullable(),
    context_window: z.number().int().nullable(),
    input_price_per_million: z.number().nullable().openapi({ description: 'USD per million input tokens' }),
    output_price_per_million: z.number().nullable().openapi({ description: 'USD per million output tokens' }),
    enabled: z.boolean(),
    default: z.boolean().openapi({ description: 'The organization’s default model' }),
    dev: z.boolean().openapi({ description: 'A development model: deterministic echo, no network, no cost' }),
    built_in: z.boolean().openapi({ description: 'The built-in development model (cannot be changed)' }),
    config: z.record(z.string(), z.unknown()),
    fallbacks: z.array(z.string()).openapi({ description: 'Models tried in order on a retryable error' }),
    created_at: z.iso.datetime().nullable(),
    updated_at: z.iso.datetime().nullable(),
  })
  .openapi('Model');

export const toModel = (m: CallableModel, defaultId: string | null): z.infer<typeof ModelSchema> => ({
  id: m.id,
  name: m.name,
  provider_id: m.provider.id,
  provider_kind: m.provider.kind,
  provider_model_id: m.providerModelId,
  temperature: m.temperature,
  max_output_tokens: m.maxOutputTokens,
  context_window: m.contextWindow,
  input_price_per_million: m.inputPricePerMillion,
  output_price_per_million: m.outputPricePerMillion,
  enabled: m.enabled,
  default: m.id === defaultId,
  dev: m.dev,
  built_in: m.provider.id === null,
  config: m.config,
  fallbacks: m.fallbacks,
  created_at: isoOrNull(m.createdAt),
  updated_at: isoOrNull(m.updatedAt),
});

const ConfigSchema = jsonObject(
  {
    maxBytes: 8_000,
    description: 'Model settings; `tokenDelayMs` (0–1000) paces a development model’s stream',
  },
  z.string().max(100),
).refine(
  (c) =>
    c.tokenDelayMs === undefined ||
    (typeof c.tokenDelayMs === 'number' && c.tokenDelayMs >= 0 && c.tokenDelayMs <= 1000),
  { message: 'tokenDelayMs must be a number of milliseconds from 0 to 1000', path: ['tokenDelayMs'] },
);

const price = z.number().min(0).max(10_000).nullable();

export const CreateModelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  provider_id: z.string().max(64),
  provider_model_id: z.string().trim().min(1).max(200),
  temperature: z.number().min(0).max(2).nullable().optional(),
  max_output_tokens: z.number().int().min(1).max(1_000_000).nullable().optional(),
  context_window: z.number().int().min(1).max(100_000_000).nullable().optional(),
  input_price_per_million: price.optional(),
  output_price_per_million: price.optional(),
  enabled: z.boolean().optional(),
  config: ConfigSchema.optional(),
  fallbacks: z.array(z.string().max(64)).max(5).optional(),
});

export const UpdateModelSchema = CreateModelSchema.partial();

export const toModelInput = (b: z.infer<typeof UpdateModelSchema>) => ({
  name: b.name,
  providerId: b.provider_id,
  providerModelId: b.provider_model_id,
  temperature: b.temperature,
  maxOutputTokens: b.max_output_tokens,
  contextWindow: b.context_window,
  inputPricePerMillion: b.input_price_per_million,
  outputPricePerMillion: b.output_price_per_million,
  enabled: b.enabled,
  config: b.config,
  fallbacks: b.fallbacks,
});
