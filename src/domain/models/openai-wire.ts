/**
 * OpenAI's chat completions request as the gateway's request (the answers are built in
 * openai-wire-response). Pure: no HTTP, no storage. What OpenAI clients send that the gateway cannot honour is
 * refused (422 naming the field) rather than silently dropped, except fields that only tune
 * sampling or client bookkeeping (`user`, `seed`, penalties…), which a conforming provider may ignore.
 */
import type { ImagePart, JSONValue, ModelMessage, TextPart, ToolCallPart, ToolResultPart } from 'ai';
import { ApiError } from '../../lib/errors';
import { assistantTurn } from '../tools/calls';
import type { ModelCallRequest } from './gateway';

type WireContent = string | null | { type: string; text?: string; image_url?: { url: string } }[];
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
export type WireMessage =
  | { role: 'system' | 'developer'; content: WireContent }
  | { role: 'user'; content: WireContent }
  | { role: 'assistant'; content?: WireContent; tool_calls?: WireToolCall[] | null }
  | { role: 'tool'; tool_call_id: string; content: WireContent };
export interface WireChatRequest {
  model: string;
  messages: WireMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  tools?:
    | { type: 'function'; function: { name: string; description?: string; parameters?: object } }[]
    | null;
  tool_choice?: string | object | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  n?: number | null;
}

/** What the gateway needs from the body; the route adds the caller, the resolved model and the signal. */
export type GatewayInput = Pick<
  ModelCallRequest,
  'system' | 'messages' | 'tools' | 'maxOutputTokens' | 'temperature'
>;

const invalid = (path: string, message: string) =>
  new ApiError('validation', `${path}: ${message}`, { errors: [{ path, message }] });

function textOf(content: WireContent, path: string): string {
  if (content === null || typeof content === 'string') return content ?? '';
  return content
    .map((part, i) => {
      if (part.type !== 'text') throw invalid(`${path}[${i}]`, 'only text parts are accepted here');
      return part.text ?? '';
    })
    .join('');
}

function userContent(content: WireContent, path: string): string | (TextPart | ImagePart)[] {
  if (content === null || typeof content === 'string') return content ?? '';
  return content.map((part, i): TextPart | ImagePart => {
    if (part.type === 'text') return { type: 'text', text: part.text ?? '' };
    if (part.type === 'image_url' && part.image_url) return { type: 'image', image: part.image_url.url };
    throw invalid(`${path}[${i}].type`, `content parts of type ${part.type} are not supported`);
  });
}

function toolCallPart(call: WireToolCall, path: string): ToolCallPart {
  try {
    const input: unknown = JSON.parse(call.function.arguments || '{}');
    return { type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input };
  } catch {
    throw invalid(`${path}.function.arguments`, 'must be a JSON document');
  }
}

/**
 * A tool result is a string on the wire. JSON in it is passed as JSON: OpenAI-compatible providers
 * receive the same text back, and others (and the development model) see structured data.
 */
function toolOutput(text: string): ToolResultPart['output'] {
  try {
    return { type: 'json', value: JSON.parse(text) as JSONValue };
  } catch {
    return { type: 'text', value: text };
  }
}

function toModelMessages(messages: WireMessage[]): { system?: string; messages: ModelMessage[] } {
  const toolNames = new Map<string, string>();
  const leading: string[] = [];
  const out: ModelMessage[] = [];
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = textOf(m.content, `${path}.content`);
        // Instructions ahead of the conversation are the system prompt; later ones stay in place.
        if (out.length === 0) leading.push(text);
        else out.push({ role: 'system', content: text });
        return;
      }
      case 'user':
        out.push({ role: 'user', content: userContent(m.content, `${path}.content`) });
        return;
      case 'assistant': {
        const text = textOf(m.content ?? null, `${path}.content`);
        const calls = (m.tool_calls ?? []).map((call, j) => {
          toolNames.set(call.id, call.function.name);
          return toolCallPart(call, `${path}.tool_calls[${j}]`);
        });
        out.push(assistantTurn(text, calls));
        return;
      }
      case 'tool': {
        const toolName = toolNames.get(m.tool_call_id);
        if (!toolName)
          throw invalid(`${path}.tool_call_id`, 'answers no tool call of an earlier assistant message');
        out.push({
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: m.tool_call_id,
              toolName,
              output: toolOutput(textOf(m.content, `${path}.content`)),
            },
          ],
        });
      }
    }
  });
  return { ...(leading.length > 0 ? { system: leading.join('\n\n') } : {}), messages: out };
}

/** The gateway's view of a chat completions body; 422 for what it cannot honour. */
export function fromWireRequest(body: WireChatRequest): GatewayInput {
  if ((body.n ?? 1) !== 1) throw invalid('n', 'only one choice (n = 1) is supported');
  const choice = body.tool_choice ?? 'auto';
  if (choice !== 'auto' && choice !== 'none')
    throw invalid('tool_choice', 'only "auto" and "none" are supported');
  const { system, messages } = toModelMessages(body.messages);
  const tools =
    choice === 'none' || !body.tools?.length
      ? undefined
      : Object.fromEntries(
          body.tools.map((t) => [
            t.function.name,
            {
              ...(t.function.description ? { description: t.function.description } : {}),
              inputSchema: (t.function.parameters ?? { type: 'object', properties: {} }) as NonNullable<
                GatewayInput['tools']
              >[string]['inputSchema'],
            },
          ]),
        );
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  return {
    ...(system !== undefined ? { system } : {}),
    messages,
    ...(tools ? { tools } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
  };
}
