import type { JSONSchema7, ModelMessage } from 'ai';
import type { Env } from '../../env';
import type { Defer } from '../context';

/**
 * The model gateway's contract (see COMMON.md), with only the development model behind it; the
 * models branch replaces this file with the real gateway (registry, budgets, providers, call log).
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
  model?: string | null;
  topic?: string | null;
  tags?: string[];
  system?: string;
  messages: ModelMessage[];
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
      kind:
        | 'budget_exceeded'
        | 'no_model'
        | 'provider'
        | 'rate_limited'
        | 'timeout'
        | 'cancelled'
        | 'invalid_request';
      message: string;
      status?: number;
      retryAfter?: number;
    };

const textOf = (m: ModelMessage) =>
  typeof m.content === 'string'
    ? m.content
    : m.content.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('');

export async function* streamModel(
  _env: Env,
  request: ModelCallRequest,
  _defer?: Defer,
): AsyncIterable<GatewayPart> {
  yield {
    type: 'start',
    model: { id: 'dev', name: 'Development model', provider: 'dev', dev: true },
    attempt: 1,
  };
  const last = request.messages.at(-1);
  if (last?.role === 'tool' && Array.isArray(last.content)) {
    for (const part of last.content) {
      if (part.type !== 'tool-result') continue;
      const value = part.output.type === 'json' ? part.output.value : part.output;
      for (const w of `Tool ${part.toolName} returned: ${JSON.stringify(value)}`.split(/(?<= )/))
        yield { type: 'text-delta', text: w };
    }
    yield { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 };
    return;
  }
  const userText = [...request.messages].reverse().find((m) => m.role === 'user');
  const text = userText ? textOf(userText) : '';
  const fail = /\[\[fail:(\d+)\]\]/.exec(text);
  if (fail) {
    yield {
      type: 'error',
      kind: 'provider',
      message: `The provider answered ${fail[1]}`,
      status: Number(fail[1]),
    };
    return;
  }
  const tools = [...text.matchAll(/\[\[tool:([^\s\]]+)\s*(\{.*?\})?\]\]/g)];
  if (tools.length > 0) {
    for (const [i, m] of tools.entries())
      yield {
        type: 'tool-call',
        toolCallId: `call_${i}`,
        toolName: m[1]!,
        input: m[2] ? JSON.parse(m[2]) : {},
      };
    yield {
      type: 'finish',
      finishReason: 'tool-calls',
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0,
    };
    return;
  }
  for (const w of `You said: ${text}`.split(/(?<= )/)) {
    if (request.signal?.aborted) return;
    yield { type: 'text-delta', text: w };
  }
  yield { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 };
}
