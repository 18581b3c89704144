import type { LanguageModelV3CallOptions, LanguageModelV3FunctionTool } from '@ai-sdk/provider';
import { secureJsonParse } from '@ai-sdk/provider-utils';
import type { ModelMessage } from 'ai';
import { convertToLanguageModelPrompt } from 'ai/internal';
import type { ModelCallRequest } from './gateway';

/**
 * What one provider call is asked, in the models' own interface (`doStream`). The gateway does not
 * go through `streamText`: it needs none of its tool loop, retries or telemetry, and its
 * re-validation of prompts this code built itself cost about 2 ms of CPU before every first token.
 * Attachments are handled as `streamText` handles them: URLs the model cannot fetch are downloaded.
 */
export async function callOptions(
  request: ModelCallRequest,
  supportedUrls: PromiseLike<Record<string, RegExp[]>> | Record<string, RegExp[]>,
  settings: { maxOutputTokens?: number; temperature?: number; abortSignal: AbortSignal },
): Promise<LanguageModelV3CallOptions> {
  const prompt = await convertToLanguageModelPrompt({
    prompt: { system: request.system, messages: request.messages as ModelMessage[] },
    supportedUrls: await supportedUrls,
    download: undefined,
    abortSignal: settings.abortSignal,
  });
  const tools = functionTools(request.tools);
  return {
    prompt,
    ...settings,
    ...(tools ? { tools, toolChoice: { type: 'auto' } } : {}),
  };
}

/** Definitions only: the caller runs the tools and calls again with their results. */
function functionTools(tools: ModelCallRequest['tools']): LanguageModelV3FunctionTool[] | undefined {
  if (!tools || Object.keys(tools).length === 0) return undefined;
  return Object.entries(tools).map(([name, t]) => ({
    type: 'function',
    name,
    description: t.description,
    inputSchema: t.inputSchema,
  }));
}

/**
 * A tool call's input as the provider sent it (JSON text); kept as text when it is not JSON. The
 * model writes it, so it is parsed as untrusted: no `__proto__` or `constructor.prototype` keys.
 */
export function toolInput(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return secureJsonParse(raw);
  } catch {
    return raw;
  }
}
