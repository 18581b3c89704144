import type { Env } from '../../env';
import type { Defer } from '../context';
import { type GatewayPart, type ModelCallRequest, streamModel } from './gateway';

type ErrorPart = Extract<GatewayPart, { type: 'error' }>;

export interface ModelCallSummary {
  model: Extract<GatewayPart, { type: 'start' }>['model'] | null;
  attempt: number | null;
  reply: string;
  toolCalls: { toolCallId: string; toolName: string; input: unknown }[];
  finishReason: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  costUsd: number | null;
  error: ErrorPart | null;
  ttftMs: number | null;
  totalMs: number;
}

/** Runs one gateway call to the end and sums it up: what a person testing a model wants to see. */
export async function callToEnd(
  env: Env,
  request: ModelCallRequest,
  defer?: Defer,
): Promise<ModelCallSummary> {
  const started = Date.now();
  const summary: ModelCallSummary = {
    model: null,
    attempt: null,
    reply: '',
    toolCalls: [],
    finishReason: null,
    usage: null,
    costUsd: null,
    error: null,
    ttftMs: null,
    totalMs: 0,
  };
  for await (const part of streamModel(env, request, defer)) {
    if (part.type === 'start') {
      summary.model = part.model;
      summary.attempt = part.attempt;
    } else if (part.type === 'text-delta' || part.type === 'tool-call') {
      summary.ttftMs ??= Date.now() - started;
      if (part.type === 'text-delta') summary.reply += part.text;
      else
        summary.toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
    } else if (part.type === 'finish') {
      summary.finishReason = part.finishReason;
      summary.usage = part.usage;
      summary.costUsd = part.costUsd;
    } else summary.error = part;
  }
  summary.totalMs = Date.now() - started;
  return summary;
}
