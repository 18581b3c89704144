import type { AssistantModelMessage, ToolCallPart, ToolResultPart } from 'ai';
import type { GatewayPart } from '../models/gateway';
import type { AgentTools } from './index';
import type { ToolResult } from './types';

/**
 * Runs one tool call a model made (a chat reply's or a run step's). A tool that throws (an outage,
 * a bug) becomes a failed result the model can read, like a refusal, instead of ending the turn.
 */
export async function runToolCall(
  tools: AgentTools,
  call: Pick<ToolCallPart, 'toolName' | 'input'>,
  signal?: AbortSignal,
): Promise<ToolResult> {
  try {
    return await tools.execute(call.toolName, call.input, signal);
  } catch (err) {
    return { ok: false, output: { error: err instanceof Error ? err.message : String(err) } };
  }
}

/** A tool call the gateway streamed, as the message part the model's history keeps. */
export const toolCallPart = (part: Extract<GatewayPart, { type: 'tool-call' }>): ToolCallPart => ({
  type: 'tool-call',
  toolCallId: part.toolCallId,
  toolName: part.toolName,
  input: part.input,
});

/** A model turn that asked for tools, as its history keeps it: its text (if any), then the calls. */
export const assistantTurn = (text: string, calls: ToolCallPart[]): AssistantModelMessage => ({
  role: 'assistant',
  content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls],
});

/** A tool's result as the message part handed back to the model. */
export const toolResultPart = (call: ToolCallPart, value: unknown): ToolResultPart => ({
  type: 'tool-result',
  toolCallId: call.toolCallId,
  toolName: call.toolName,
  output: { type: 'json', value: (value ?? null) as never },
});

/** What a failed tool said, for people (tools report `{ error }`; anything else is shown as JSON). */
export const toolErrorText = (value: unknown) =>
  value !== null && typeof value === 'object' && 'error' in value
    ? String(value.error)
    : JSON.stringify(value);
