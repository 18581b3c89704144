import type { ModelMessage, ToolCallPart, ToolResultPart } from 'ai';
import { createDb } from '../../../db/client';
import type { JsonValue } from '../../../lib/json-value';
import { systemOrgCtx } from '../../context';
import { type AgentTools, agentTools } from '../../tools';
import { assistantTurn, runToolCall, toolResultPart } from '../../tools/calls';
import { modelTurn, type TurnRequest, type TurnResult } from './model-turn';
import type { StepExecution, StepUsage } from './types';

/** Model turns one attempt may take: tools are called between them, so this bounds a loop. */
export const MAX_TOOL_TURNS = 8;
/** A tool result bigger than this is left out of its event (the model still gets all of it). */
const MAX_EVENT_RESULT_CHARS = 4096;
const REFUSED_APPROVAL =
  'This tool needs a person’s approval, which a pipeline step cannot ask for; use an approval step';

/**
 * The tools a step's agent may call (built-ins and its role's MCP tools, the set chat uses),
 * acting as the agent inside the run's organization; each call is recorded with the run and step.
 */
export function stepTools(x: StepExecution, agentId: string): Promise<AgentTools> {
  const ctx = systemOrgCtx(x.env, createDb(x.env.DB), x.run.orgId, 'pipeline_run');
  return agentTools(ctx, agentId, { runId: x.run.runId, stepKey: x.step.key });
}

const add = (a: StepUsage, b: StepUsage = { inputTokens: 0, outputTokens: 0 }) => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

/** One call between two turns, as `step.tool_call_started` and `step.tool_call_finished` events. */
async function runStepTool(x: StepExecution, tools: AgentTools, call: ToolCallPart, agentId: string) {
  const base = { agent_id: agentId, tool: call.toolName, tool_call_id: call.toolCallId };
  const args = (call.input ?? {}) as JsonValue;
  if (!(await x.emit([{ type: 'step.tool_call_started', payload: { ...base, args } }]))) return null;
  const started = Date.now();
  const result = tools.requiresApproval(call.toolName)
    ? { ok: false, output: { error: REFUSED_APPROVAL } }
    : await runToolCall(tools, call, x.signal);
  const text = JSON.stringify(result.output ?? null);
  const finished = await x.emit([
    {
      type: 'step.tool_call_finished',
      payload: {
        ...base,
        ok: result.ok,
        duration_ms: Date.now() - started,
        ...(text.length <= MAX_EVENT_RESULT_CHARS
          ? { result: JSON.parse(text) as JsonValue }
          : { result_chars: text.length }),
      },
    },
  ]);
  return finished ? toolResultPart(call, result.output) : null;
}

/**
 * The model answers the step's prompt, calling the agent's tools as it goes: each turn's tool
 * calls run in order and their results go back to the model, until it answers without calling
 * one (that answer is the output), up to `MAX_TOOL_TURNS` turns. Stops when the attempt is no
 * longer current.
 */
export async function toolLoop(
  x: StepExecution,
  turn: TurnRequest & { agentId: string },
): Promise<TurnResult> {
  const tools = await stepTools(x, turn.agentId);
  const definitions = Object.keys(tools.definitions).length > 0 ? tools.definitions : undefined;
  const history: ModelMessage[] = [];
  let usage: StepUsage = { inputTokens: 0, outputTokens: 0 };
  for (let n = 0; n < MAX_TOOL_TURNS; n++) {
    const result = await modelTurn(x.env, x, { ...turn, history, tools: definitions });
    if (!('ok' in result)) return { ...result, usage: add(usage, result.usage) };
    usage = add(usage, result.usage);
    if (result.calls.length === 0) return { ...result, usage };
    history.push(assistantTurn(result.text, result.calls));
    const results: ToolResultPart[] = [];
    for (const call of result.calls) {
      const part = await runStepTool(x, tools, call, turn.agentId);
      if (!part) return { status: 'failed', error: 'The attempt was cancelled', retryable: false, usage };
      results.push(part);
    }
    history.push({ role: 'tool', content: results });
  }
  return {
    status: 'failed',
    error: `The agent took ${MAX_TOOL_TURNS} model turns without a final answer`,
    retryable: false,
    usage,
  };
}
