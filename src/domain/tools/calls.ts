import type { ToolCallPart, ToolResultPart } from 'ai';
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
