import type { JSONSchema7, ModelMessage } from 'ai';
import { createDb } from '../../db/client';
import type { Env } from '../../env';
import { newId } from '../../lib/ids';
import type { Defer } from '../context';
import { reservationHoldMs, runAttempt } from './attempt';
import { type BudgetRefusal, type Reservation, reserve } from './budget-ledger';
import { account, estimateCall, maxOutputOf, refusalMessage } from './call-accounting';
import type { CallErrorKind } from './call-errors';
import { type AiCallRow, aiCallRow, costOf } from './call-log';
import { loadModels, usable } from './registry';
import { resolveModel } from './resolve';
import { cachedBudgets } from './setup-cache';

/**
 * The one way into a model. Every caller (chat, pipeline steps, the model test, the
 * OpenAI-compatible API) says who it is and why, and reads a stream of typed parts.
 */

export type ModelPurpose = 'chat' | 'pipeline_step' | 'model_test' | 'openai_api' | 'probe';

export interface ModelCaller {
  orgId: string;
  purpose: ModelPurpose;
  userId?: string | null;
  agentId?: string | null;
  apiKeyId?: string | null;
  runId?: string | null;
  stepKey?: string | null;
  chatSessionId?: string | null;
}

export interface ModelCallRequest {
  caller: ModelCaller;
  /** Explicit model (registry id); else agent → role → routing → org default. */
  model?: string | null;
  /** Without an explicit model: one resolved earlier for the same work, used while usable. */
  preferredModel?: string | null;
  /** Routing inputs. */
  topic?: string | null;
  tags?: string[];
  system?: string;
  messages: ModelMessage[];
  /** Definitions only: the caller executes tools and calls again with the tool results. */
  tools?: Record<string, { description?: string; inputSchema: JSONSchema7 }>;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export type GatewayPart =
  | { type: 'start'; model: { id: string; name: string; provider: string; dev: boolean }; attempt: number }
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: unknown }
  | {
      type: 'finish';
      finishReason: 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'other';
      usage: { inputTokens: number; outputTokens: number };
      costUsd: number | null;
    }
  | {
      type: 'error';
      kind: CallErrorKind;
      message: string;
      status?: number;
      retryAfter?: number;
      /** With `budget_exceeded`: the budget that refused, for a 402 that names it. */
      budget?: BudgetRefusal;
    };

type FinishReason = Extract<GatewayPart, { type: 'finish' }>['finishReason'];

/**
 * One model turn (no internal tool loop): the model is resolved, the budget checked, then the
 * chain (the model, then its fallbacks) is tried until one answers or an error is not worth
 * retrying. Never throws: failures are an `error` part. The log rows are written after the
 * stream ends, through `defer` when given (so a response is not held up by them).
 */
export async function* streamModel(
  env: Env,
  request: ModelCallRequest,
  defer?: Defer,
): AsyncIterable<GatewayPart> {
  const db = createDb(env.DB);
  const callId = newId('call');
  const rows: AiCallRow[] = [];
  let reservations: Reservation[] = [];
  try {
    const { caller } = request;
    // Independent reads, in flight together (and usually answered from this isolate's cache).
    const [resolution, budgets] = await Promise.all([
      resolveModel(db, env, {
        orgId: caller.orgId,
        agentId: caller.agentId,
        model: request.model,
        preferred: request.preferredModel,
        topic: request.topic,
        tags: request.tags,
      }),
      cachedBudgets(db, caller.orgId, caller.agentId),
    ]);
    if (!resolution.model) {
      const named = request.model ? `The model "${request.model}" does not exist or is disabled` : null;
      yield { type: 'error', kind: 'no_model', message: named ?? 'No model is configured for this call' };
      return;
    }
    const primary = resolution.model;
    const fallbacks = (await loadModels(db, env, caller.orgId, primary.fallbacks)).filter((m) =>
      usable(env, m),
    );
    const chain = [primary, ...fallbacks.filter((m) => m.id !== primary.id)];
    if (budgets.length > 0) {
      const held = await reserve(db, budgets, estimateCall(request, chain), reservationHoldMs(chain.length));
      if (!held.ok) {
        yield {
          type: 'error',
          kind: 'budget_exceeded',
          message: refusalMessage(held.refusal),
          budget: held.refusal,
        };
        return;
      }
      reservations = held.reservations;
    }
    for (const [i, model] of chain.entries()) {
      const outcome = yield* runAttempt(db, env, request, model, i + 1, maxOutputOf(request, model), (r) =>
        rows.push(aiCallRow(callId, caller, r)),
      );
      const { error, record } = outcome;
      if (!error) {
        yield {
          type: 'finish',
          finishReason: (record.finishReason ?? 'other') as FinishReason,
          usage: { inputTokens: record.inputTokens, outputTokens: record.outputTokens },
          costUsd: costOf(model, record.inputTokens, record.outputTokens),
        };
        return;
      }
      if (!error.retryable || outcome.emitted || i === chain.length - 1) {
        const { retryable: _, ...part } = error;
        yield { type: 'error', ...part };
        return;
      }
    }
  } catch (thrown) {
    yield {
      type: 'error',
      kind: 'provider',
      message: thrown instanceof Error ? thrown.message : String(thrown),
    };
  } finally {
    const work = () => account(db, env, request.caller.orgId, rows, reservations);
    if (defer) defer(work);
    else await work();
  }
}
