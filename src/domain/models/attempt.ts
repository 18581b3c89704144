import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { estimateTokens, promptTokens } from './call-accounting';
import { type CallError, classifyError } from './call-errors';
import type { AttemptRecord } from './call-log';
import type { GatewayPart, ModelCallRequest } from './gateway';
import { languageModelFor } from './language-model';
import { callOptions, toolInput } from './provider-call';
import type { CallableModel } from './registry';

/** An attempt still running after this long is given up (a timeout, so the chain may fall back). */
const ATTEMPT_TIMEOUT_MS = 120_000;

/**
 * How long a call's budget reservations hold: every attempt of its chain running to its timeout,
 * plus a minute for settling. Past that, the call's Worker is taken to be gone.
 */
export const reservationHoldMs = (attempts: number) => attempts * ATTEMPT_TIMEOUT_MS + 60_000;

export interface AttemptOutcome {
  record: AttemptRecord;
  error: CallError | null;
  /** Whether any part reached the caller: after that, another model cannot take over. */
  emitted: boolean;
}

const FINISH_REASONS = new Set(['stop', 'length', 'tool-calls', 'content-filter', 'other']);

/**
 * One model's turn, as gateway parts. Nothing retries inside it: the gateway's fallback chain
 * decides what happens after a failure, and logs each attempt.
 * `logged` receives the attempt's record exactly once, also when the caller stops reading
 * midway (the generator is returned early): the provider call is then stopped and the attempt
 * recorded as cancelled. When the provider reports no usage for an attempt that streamed
 * something (cancelled, failed mid-stream, or a provider that never sends usage), the tokens are
 * estimated at 4 characters a token from the prompt and the streamed output, and the record says so.
 */
export async function* runAttempt(
  db: Db,
  env: Env,
  request: ModelCallRequest,
  model: CallableModel,
  attempt: number,
  maxOutputTokens: number | undefined,
  logged: (record: AttemptRecord) => void,
): AsyncGenerator<GatewayPart, AttemptOutcome> {
  const startedAt = Date.now();
  const record: AttemptRecord = {
    model,
    attempt,
    startedAt,
    endedAt: startedAt,
    firstTokenAt: null,
    status: 'error',
    inputTokens: 0,
    outputTokens: 0,
    usageEstimated: false,
  };
  let emitted = false;
  let ended = false;
  let streamedChars = 0;
  let usage: { input?: number; output?: number } = {};
  let error: CallError | null = null;
  const deadline = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, deadline, ...(request.signal ? [request.signal] : [])]);
  const start = (): GatewayPart => {
    emitted = true;
    record.firstTokenAt ??= Date.now();
    return {
      type: 'start',
      model: { id: model.id, name: model.name, provider: model.provider.kind, dev: model.dev },
      attempt,
    };
  };
  try {
    const languageModel = await languageModelFor(db, env, request.caller.orgId, model);
    const { stream } = await languageModel.doStream(
      await callOptions(request, languageModel.supportedUrls, {
        maxOutputTokens,
        temperature: request.temperature ?? model.temperature ?? undefined,
        abortSignal: signal,
      }),
    );
    for await (const part of stream) {
      if (part.type === 'text-delta') {
        // Some providers open with an empty delta: it says nothing, so it does not start the answer.
        if (part.delta.length === 0) continue;
        if (!emitted) yield start();
        streamedChars += part.delta.length;
        yield { type: 'text-delta', text: part.delta };
      } else if (part.type === 'tool-call') {
        if (!emitted) yield start();
        streamedChars += part.toolName.length + part.input.length;
        const input = toolInput(part.input);
        yield { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input };
      } else if (part.type === 'finish') {
        if (!emitted) yield start();
        usage = { input: part.usage.inputTokens.total, output: part.usage.outputTokens.total };
        const reason = part.finishReason.unified;
        record.finishReason = FINISH_REASONS.has(reason) ? reason : 'other';
        record.status = 'ok';
      } else if (part.type === 'error') {
        error ??= classifyError(part.error, request.signal);
      }
    }
    ended = true;
  } catch (thrown) {
    // An aborted stream throws whatever the runtime chose; the signal says why it was aborted.
    error = classifyError(signal.aborted ? signal.reason : thrown, request.signal);
    ended = true;
  } finally {
    if (!ended) {
      stop.abort();
      error = { kind: 'cancelled', message: 'The caller stopped reading the answer', retryable: false };
    }
    record.endedAt = Date.now();
    if (error) {
      record.status = error.kind === 'cancelled' ? 'cancelled' : 'error';
      record.error = { kind: error.kind, message: error.message, status: error.status };
    }
    const estimate = emitted && (usage.input === undefined || usage.output === undefined);
    record.inputTokens = usage.input ?? (estimate ? promptTokens(request) : 0);
    record.outputTokens = usage.output ?? (estimate ? estimateTokens(streamedChars) : 0);
    record.usageEstimated = estimate;
    logged(record);
  }
  return { record, error, emitted };
}
