import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { iso } from '../../lib/time';
import {
  type BudgetRefusal,
  type CallEstimate,
  notifyThresholds,
  type Reservation,
  settle,
} from './budget-ledger';
import { type AiCallRow, writeAiCalls } from './call-log';
import type { ModelCallRequest } from './gateway';
import type { CallableModel } from './registry';

/** Used when neither the call nor the model sets a maximum: what a budget reserves for an answer. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export const maxOutputOf = (request: ModelCallRequest, model: CallableModel) =>
  request.maxOutputTokens ?? model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;

/** A rough token count (4 characters a token): sizes reservations, and stands in for missing usage. */
export const estimateTokens = (chars: number) => Math.ceil(chars / 4);

export const promptTokens = (request: ModelCallRequest) =>
  estimateTokens((request.system?.length ?? 0) + JSON.stringify(request.messages).length);

/** The most any model of the chain could use, in tokens and in micro-dollars. */
export function estimateCall(request: ModelCallRequest, chain: CallableModel[]): CallEstimate {
  const input = promptTokens(request);
  return chain.reduce<CallEstimate>(
    (most, m) => {
      const output = maxOutputOf(request, m);
      const microUsd = input * (m.inputPricePerMillion ?? 0) + output * (m.outputPricePerMillion ?? 0);
      return { tokens: Math.max(most.tokens, input + output), microUsd: Math.max(most.microUsd, microUsd) };
    },
    { tokens: 0, microUsd: 0 },
  );
}

const amount = (r: Pick<BudgetRefusal, 'metric'>, n: number) =>
  r.metric === 'tokens' ? `${n} tokens` : `$${(n / 1_000_000).toFixed(2)}`;

export function refusalMessage(r: BudgetRefusal): string {
  const whose = r.scope === 'agent' ? 'The agent’s' : 'The organization’s';
  return `${whose} monthly ${r.metric} budget of ${amount(r, r.limit)} is used up (${amount(r, r.spent)} spent); it resets at ${iso(r.resetsAt)}`;
}

/**
 * After the call: the attempts' log rows, the budgets settled on what the attempts really used,
 * and any soft threshold crossed. The caller already has its answer, so a failure here is logged
 * (without query parameters) rather than raised.
 */
export async function account(
  db: Db,
  env: Env,
  orgId: string,
  rows: AiCallRow[],
  reservations: Reservation[],
): Promise<void> {
  try {
    const used = rows.reduce<CallEstimate>(
      (sum, r) => ({
        tokens: sum.tokens + (r.inputTokens ?? 0) + (r.outputTokens ?? 0),
        microUsd: sum.microUsd + (r.costUsd ?? 0) * 1_000_000,
      }),
      { tokens: 0, microUsd: 0 },
    );
    await Promise.all([writeAiCalls(db, rows), settle(db, reservations, used)]);
    if (reservations.length > 0) await notifyThresholds(db, env, orgId, reservations);
  } catch (error) {
    console.error(
      JSON.stringify({
        error: 'model call accounting failed',
        detail: String(error)
          .split(/\bparams:/)[0]!
          .slice(0, 300),
      }),
    );
  }
}
