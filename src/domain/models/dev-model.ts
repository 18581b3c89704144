import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { APICallError } from 'ai';

/**
 * The built-in development model (provider `dev`): deterministic, no network, no key.
 * - It answers `You said: <last user text>`, streamed word by word, `tokenDelayMs` apart.
 * - `[[tool:<name> <json args>]]` in the last user message makes it call that tool (one call per
 *   marker) instead of answering.
 * - After a tool result it answers `Tool <name> returned: <json>`.
 * - `[[fail:<status>]]` makes it fail the way a provider answering that HTTP status does.
 * Usage is counted in words: every word of the prompt in, every word of the answer out.
 */

const TOOL_MARKER = /\[\[tool:([A-Za-z0-9_.-]+)(?:\s+([\s\S]*?))?\]\]/g;
const FAIL_MARKER = /\[\[fail:(\d{3})\]\]/;

export const DEV_PROVIDER = 'dev';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

type Message = LanguageModelV3Prompt[number];

function textOf(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      if (part.type === 'text') return part.text;
      if (part.type === 'tool-call') return JSON.stringify(part.input);
      if (part.type === 'tool-result') return JSON.stringify(part.output);
      return '';
    })
    .join(' ');
}

type Plan =
  | { kind: 'fail'; status: number }
  | { kind: 'tools'; calls: { toolName: string; input: string }[] }
  | { kind: 'text'; text: string };

/** What the model will do with this prompt; the same prompt always gives the same plan. */
export function devPlan(prompt: LanguageModelV3Prompt): Plan {
  const last = prompt.at(-1);
  if (last?.role === 'tool') {
    const result = last.content.filter((p) => p.type === 'tool-result').at(-1);
    if (result) {
      const output = 'value' in result.output ? result.output.value : result.output.type;
      return { kind: 'text', text: `Tool ${result.toolName} returned: ${JSON.stringify(output ?? null)}` };
    }
  }
  const user = prompt.findLast((m) => m.role === 'user');
  const text = user ? textOf(user).trim() : '';
  const fail = FAIL_MARKER.exec(text);
  if (fail) return { kind: 'fail', status: Number(fail[1]) };
  const calls = [...text.matchAll(TOOL_MARKER)].map((m) => ({
    toolName: m[1]!,
    input: normaliseArgs(m[2]),
  }));
  if (calls.length > 0) return { kind: 'tools', calls };
  return { kind: 'text', text: `You said: ${text}` };
}

/** Marker arguments are JSON; anything else is passed on as `{ "input": "<text>" }`. */
function normaliseArgs(raw: string | undefined): string {
  const trimmed = raw?.trim() ?? '';
  if (!trimmed) return '{}';
  try {
    return JSON.stringify(JSON.parse(trimmed));
  } catch {
    return JSON.stringify({ input: trimmed });
  }
}

const usageOf = (input: number, output: number): LanguageModelV3Usage => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

function failure(status: number, modelId: string): APICallError {
  return new APICallError({
    message: `The development model was asked to fail with HTTP ${status}`,
    url: `dev://${modelId}`,
    requestBodyValues: {},
    statusCode: status,
    responseHeaders: status === 429 ? { 'retry-after': '1' } : {},
    isRetryable: status === 408 || status === 429 || status >= 500,
  });
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export function createDevModel(modelId: string, opts: { tokenDelayMs?: number } = {}): LanguageModelV3 {
  const delay = Math.max(0, opts.tokenDelayMs ?? 0);
  const prepare = (options: LanguageModelV3CallOptions) => {
    const plan = devPlan(options.prompt);
    if (plan.kind === 'fail') throw failure(plan.status, modelId);
    return plan;
  };
  // Counted when the usage is reported, at the end, as a provider does: not before the first token.
  const inputTokens = (options: LanguageModelV3CallOptions) =>
    options.prompt.reduce((n, m) => n + words(textOf(m)).length, 0);
  return {
    specificationVersion: 'v3',
    provider: DEV_PROVIDER,
    modelId,
    supportedUrls: {},
    async doGenerate(options) {
      const plan = prepare(options);
      const content: LanguageModelV3Content[] =
        plan.kind === 'tools'
          ? plan.calls.map((c, i) => ({ type: 'tool-call', toolCallId: `dev_call_${i + 1}`, ...c }))
          : [{ type: 'text', text: plan.kind === 'text' ? plan.text : '' }];
      const out =
        plan.kind === 'tools' ? plan.calls.length : plan.kind === 'text' ? words(plan.text).length : 0;
      return {
        content,
        finishReason: { unified: plan.kind === 'tools' ? 'tool-calls' : 'stop', raw: undefined },
        usage: usageOf(inputTokens(options), out),
        warnings: [],
      };
    },
    async doStream(options) {
      const plan = prepare(options);
      const signal = options.abortSignal;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: 'stream-start', warnings: [] });
            let out = 0;
            if (plan.kind === 'tools') {
              for (const [i, call] of plan.calls.entries()) {
                controller.enqueue({ type: 'tool-call', toolCallId: `dev_call_${i + 1}`, ...call });
                out += 1;
              }
            } else if (plan.kind === 'text') {
              controller.enqueue({ type: 'text-start', id: 'dev_text' });
              for (const [i, word] of words(plan.text).entries()) {
                // Each later word in a task of its own, as chunks arrive from a network: the
                // caller's other work (answering the request that started the call) is not held up.
                if (i > 0) await pause(delay, signal);
                if (signal?.aborted) throw signal.reason;
                controller.enqueue({
                  type: 'text-delta',
                  id: 'dev_text',
                  delta: i === 0 ? word : ` ${word}`,
                });
                out += 1;
              }
              controller.enqueue({ type: 'text-end', id: 'dev_text' });
            }
            controller.enqueue({
              type: 'finish',
              finishReason: { unified: plan.kind === 'tools' ? 'tool-calls' : 'stop', raw: undefined },
              usage: usageOf(inputTokens(options), out),
            });
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
      return { stream };
    },
  };
}
