import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, ms, orgId, updatedAt } from './columns';
import { vaultItems } from './vault';

export const PROVIDER_KINDS = [
  'openai',
  'anthropic',
  'openai_compatible',
  'ollama',
  'litellm',
  'dev',
  'workers_ai',
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A connection to a model provider; its API key lives in the vault, only the item's id is here. */
export const modelProviders = sqliteTable(
  'model_providers',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    kind: text('kind', { enum: PROVIDER_KINDS }).notNull(),
    name: text('name').notNull(),
    baseUrl: text('base_url'),
    /** Deleting the vault item leaves the provider without a key (its calls then fail with 401). */
    keyItemId: text('key_item_id').references(() => vaultItems.id, { onDelete: 'set null' }),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('model_providers_org_name_uq').on(t.orgId, t.name),
    index('model_providers_org_idx').on(t.orgId, t.id),
  ],
);

/** Per-model knobs: `tokenDelayMs` paces the development model's stream. */
export interface ModelConfig {
  tokenDelayMs?: number;
  [key: string]: unknown;
}

export const models = sqliteTable(
  'models',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    providerId: text('provider_id')
      .notNull()
      .references(() => modelProviders.id, { onDelete: 'cascade' }),
    providerModelId: text('provider_model_id').notNull(),
    temperature: real('temperature'),
    maxOutputTokens: integer('max_output_tokens'),
    contextWindow: integer('context_window'),
    /** USD per million tokens; null when unknown (cost is then not estimated). */
    inputPricePerMillion: real('input_price_per_million'),
    outputPricePerMillion: real('output_price_per_million'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    config: text('config', { mode: 'json' }).$type<ModelConfig>().notNull(),
    /** Model ids tried in order when this one fails with a retryable error; missing ones are skipped. */
    fallbacks: text('fallbacks', { mode: 'json' }).$type<string[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('models_org_name_uq').on(t.orgId, t.name),
    index('models_org_idx').on(t.orgId, t.id),
    index('models_provider_idx').on(t.providerId),
  ],
);

/**
 * One row per organization that chose a default. Model references are plain text (no foreign key)
 * because the built-in development model (`dev`) has no row; deleting a model clears them.
 */
export const orgModelSettings = sqliteTable('org_model_settings', {
  orgId: text('org_id').primaryKey(),
  defaultModelId: text('default_model_id'),
  updatedAt: updatedAt(),
});

export const ROUTING_MATCHES = ['topic', 'tag'] as const;

/** Topic or tag → model, tried in `position` order; the first match wins. */
export const modelRoutingRules = sqliteTable(
  'model_routing_rules',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    position: integer('position').notNull(),
    match: text('match', { enum: ROUTING_MATCHES }).notNull(),
    value: text('value').notNull(),
    modelId: text('model_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('model_routing_rules_org_idx').on(t.orgId, t.position)],
);

export const BUDGET_METRICS = ['tokens', 'cost'] as const;
export type BudgetMetric = (typeof BUDGET_METRICS)[number];

/**
 * Monthly limits for an organization (agentId null) or one agent. Amounts are integers: tokens,
 * or micro-dollars for cost, so reservations are exact arithmetic in one conditional UPDATE.
 */
export const modelBudgets = sqliteTable(
  'model_budgets',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    agentId: text('agent_id'),
    metric: text('metric', { enum: BUDGET_METRICS }).notNull(),
    limitAmount: integer('limit_amount').notNull(),
    /** Fraction of the limit (0–1) at which `budget.threshold_reached` is emitted, once a period. */
    softThreshold: real('soft_threshold'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One budget per metric for the organization and for each agent (NULLs would all differ).
    uniqueIndex('model_budgets_scope_uq').on(t.orgId, sql`coalesce(${t.agentId}, '')`, t.metric),
    index('model_budgets_org_idx').on(t.orgId, t.id),
  ],
);

/** Spend and open reservations of one budget in one month (`period` = 'YYYY-MM', UTC). */
export const modelBudgetPeriods = sqliteTable(
  'model_budget_periods',
  {
    budgetId: text('budget_id')
      .notNull()
      .references(() => modelBudgets.id, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    spent: integer('spent').notNull().default(0),
    thresholdNotifiedAt: ms('threshold_notified_at'),
  },
  (t) => [primaryKey({ columns: [t.budgetId, t.period] })],
);

/**
 * What one call in flight holds of a budget until it settles. A reservation counts only until
 * `expiresAt`, so one whose Worker died before settling stops holding the budget on its own;
 * housekeeping deletes it later.
 */
export const modelBudgetReservations = sqliteTable(
  'model_budget_reservations',
  {
    id: text('id').primaryKey(),
    budgetId: text('budget_id')
      .notNull()
      .references(() => modelBudgets.id, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    amount: integer('amount').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [
    // Each reservation sums the live reservations of its budget and period.
    index('model_budget_reservations_budget_idx').on(t.budgetId, t.period, t.expiresAt),
    // Housekeeping deletes the expired ones.
    index('model_budget_reservations_expires_idx').on(t.expiresAt),
  ],
);

export const AI_CALL_STATUSES = ['ok', 'error', 'cancelled'] as const;
export type AiCallStatus = (typeof AI_CALL_STATUSES)[number];

export const MODEL_PURPOSES = ['chat', 'pipeline_step', 'model_test', 'openai_api', 'probe'] as const;

/** One row per attempt of a model call (a fallback chain writes one per model tried). */
export const aiCalls = sqliteTable(
  'ai_calls',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    callId: text('call_id').notNull(),
    attempt: integer('attempt').notNull(),
    providerId: text('provider_id'),
    providerKind: text('provider_kind', { enum: PROVIDER_KINDS }).notNull(),
    modelId: text('model_id').notNull(),
    modelName: text('model_name').notNull(),
    purpose: text('purpose', { enum: MODEL_PURPOSES }).notNull(),
    agentId: text('agent_id'),
    userId: text('user_id'),
    apiKeyId: text('api_key_id'),
    runId: text('run_id'),
    stepKey: text('step_key'),
    chatSessionId: text('chat_session_id'),
    status: text('status', { enum: AI_CALL_STATUSES }).notNull(),
    errorKind: text('error_kind'),
    errorMessage: text('error_message'),
    httpStatus: integer('http_status'),
    finishReason: text('finish_reason'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** The provider reported no usage (a cancelled or broken stream): the tokens are estimated. */
    usageEstimated: integer('usage_estimated', { mode: 'boolean' }).notNull().default(false),
    costUsd: real('cost_usd'),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    createdAt: createdAt(),
  },
  (t) => [
    // Log pages and usage ranges read newest first within an organization.
    index('ai_calls_org_created_idx').on(t.orgId, t.createdAt, t.id),
    // Health reads the recent calls of one model.
    index('ai_calls_org_model_idx').on(t.orgId, t.modelId, t.createdAt),
  ],
);
