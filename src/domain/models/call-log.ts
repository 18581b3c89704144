import type { Db } from '../../db/client';
import { aiCalls } from '../../db/schema';
import { newId } from '../../lib/ids';
import type { CallErrorKind } from './call-errors';
import type { ModelCaller } from './gateway';
import type { CallableModel } from './registry';

export type AiCallRow = typeof aiCalls.$inferInsert;

export interface AttemptRecord {
  model: CallableModel;
  attempt: number;
  startedAt: number;
  endedAt: number;
  firstTokenAt: number | null;
  status: 'ok' | 'error' | 'cancelled';
  error?: { kind: CallErrorKind; message: string; status?: number };
  finishReason?: string;
  inputTokens: number;
  outputTokens: number;
  /** The provider reported no usage, so the tokens are estimated (see `runAttempt`). */
  usageEstimated: boolean;
}

/** USD, from the model's prices per million tokens; null when a price is unknown. */
export function costOf(model: CallableModel, inputTokens: number, outputTokens: number): number | null {
  if (model.inputPricePerMillion === null || model.outputPricePerMillion === null) return null;
  return (inputTokens * model.inputPricePerMillion + outputTokens * model.outputPricePerMillion) / 1_000_000;
}

/** One log row per attempt; the caller fields say who asked and why. */
export function aiCallRow(callId: string, caller: ModelCaller, a: AttemptRecord): AiCallRow {
  return {
    id: newId('aic', a.startedAt),
    orgId: caller.orgId,
    callId,
    attempt: a.attempt,
    providerId: a.model.provider.id,
    providerKind: a.model.provider.kind,
    modelId: a.model.id,
    modelName: a.model.name,
    purpose: caller.purpose,
    agentId: caller.agentId ?? null,
    userId: caller.userId ?? null,
    apiKeyId: caller.apiKeyId ?? null,
    runId: caller.runId ?? null,
    stepKey: caller.stepKey ?? null,
    chatSessionId: caller.chatSessionId ?? null,
    status: a.status,
    errorKind: a.error?.kind ?? null,
    errorMessage: a.error?.message ?? null,
    httpStatus: a.error?.status ?? null,
    finishReason: a.finishReason ?? null,
    inputTokens: a.inputTokens,
    outputTokens: a.outputTokens,
    usageEstimated: a.usageEstimated,
    costUsd: costOf(a.model, a.inputTokens, a.outputTokens),
    latencyMs: a.endedAt - a.startedAt,
    ttftMs: a.firstTokenAt === null ? null : a.firstTokenAt - a.startedAt,
    createdAt: a.startedAt,
  };
}

/** One statement per row keeps each under D1's bound-parameter limit; one batch for all. */
export async function writeAiCalls(db: Db, rows: AiCallRow[]): Promise<void> {
  const [first, ...rest] = rows.map((row) => db.insert(aiCalls).values(row));
  if (first) await db.batch([first, ...rest]);
}
