/**
 * The gateway's parts as OpenAI's chat completions answers: a whole `chat.completion`, a stream of
 * `chat.completion.chunk` objects, and OpenAI's error object. Pure; the request side is openai-wire.
 */
import type { GatewayPart } from './gateway';
import type { WireToolCall } from './openai-wire';

type Finish = Extract<GatewayPart, { type: 'finish' }>;
const FINISH: Record<Finish['finishReason'], string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  other: 'stop',
};
export const wireUsage = ({ inputTokens, outputTokens }: Finish['usage']) => ({
  prompt_tokens: inputTokens,
  completion_tokens: outputTokens,
  total_tokens: inputTokens + outputTokens,
});
const wireToolCall = (part: Extract<GatewayPart, { type: 'tool-call' }>): WireToolCall => ({
  id: part.toolCallId,
  type: 'function',
  function: { name: part.toolName, arguments: JSON.stringify(part.input ?? {}) },
});

/** Names the completion: its id, creation second and (updated by each attempt's `start`) model. */
export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

/**
 * A translator of gateway parts into `chat.completion.chunk` objects, in order. With `includeUsage`
 * every chunk carries `usage: null` and a last chunk with no choices carries the usage, as OpenAI's
 * `stream_options.include_usage` does. Errors become OpenAI's in-stream `{ error }` event.
 */
export function chunker(meta: CompletionMeta, includeUsage: boolean) {
  let toolIndex = 0;
  let started = false;
  const chunk = (delta: object, finish: string | null = null) => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const first = (delta: object) => {
    if (started) return delta;
    started = true;
    return { role: 'assistant', ...delta };
  };
  return (part: GatewayPart): object[] => {
    switch (part.type) {
      case 'start':
        meta.model = part.model.name;
        return [];
      case 'text-delta':
        return [chunk(first({ content: part.text }))];
      case 'tool-call':
        return [chunk(first({ tool_calls: [{ index: toolIndex++, ...wireToolCall(part) }] }))];
      case 'finish':
        return [
          chunk(started ? {} : first({ content: '' }), FINISH[part.finishReason]),
          ...(includeUsage ? [{ ...chunk({}), choices: [], usage: wireUsage(part.usage) }] : []),
        ];
      case 'error':
        return [{ error: wireError(part.status ?? 500, part.kind, part.message) }];
    }
  };
}

/** The `chat.completion` object of a whole, successful turn. */
export function completionOf(meta: CompletionMeta, parts: GatewayPart[]) {
  let text = '';
  const toolCalls: WireToolCall[] = [];
  let finish: Finish | undefined;
  for (const part of parts) {
    if (part.type === 'start') meta.model = part.model.name;
    else if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'tool-call') toolCalls.push(wireToolCall(part));
    else if (part.type === 'finish') finish = part;
  }
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || (toolCalls.length > 0 ? null : ''),
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finish ? FINISH[finish.finishReason] : 'stop',
      },
    ],
    usage: wireUsage(finish?.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

const ERROR_TYPES: Record<number, string> = {
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  429: 'rate_limit_error',
};

/** OpenAI's error object for a status, a machine-readable code and a message. */
export function wireError(status: number, code: string, message: string, param: string | null = null) {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return { message, type, param, code };
}
