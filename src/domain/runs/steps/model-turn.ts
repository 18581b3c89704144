import type { ModelMessage, ToolCallPart } from 'ai';
import type { Env } from '../../../env';
import { type ModelCallRequest, streamModel } from '../../models/gateway';
import { toolCallPart } from '../../tools/calls';
import type { StepExecution, StepOutcome, StepUsage } from './types';

/** Streamed text is published in pieces of about this many characters (one run-object call each). */
const DELTA_CHARS = 200;
const RETRYABLE = new Set(['provider', 'rate_limited', 'timeout']);

export interface TurnRequest {
  agentId: string | null;
  model?: string | null;
  system?: string;
  prompt: string;
  /** The turns after the prompt so far (the model's tool calls and their results). */
  history?: ModelMessage[];
  tools?: ModelCallRequest['tools'];
}

export type TurnResult =
  | { ok: true; text: string; calls: ToolCallPart[]; usage: StepUsage }
  | (StepOutcome & { status: 'failed' });

/**
 * One model call for a step through the gateway, its text streamed into the run's log as
 * `agent.output` deltas, and the tool calls the model asked for collected (not run). When the run says the attempt is no longer current (cancelled), the
 * call is aborted through the step's signal. Gateway errors become failed outcomes: provider
 * trouble is retried, budget and configuration problems are not.
 */
export async function modelTurn(env: Env, x: StepExecution, turn: TurnRequest): Promise<TurnResult> {
  let text = '';
  const calls: ToolCallPart[] = [];
  let pending = '';
  let usage: StepUsage = { inputTokens: 0, outputTokens: 0 };
  const flush = async () => {
    if (!pending) return true;
    const delta = pending;
    pending = '';
    return x.emit([{ type: 'agent.output', payload: { delta, agent_id: turn.agentId } }]);
  };
  const parts = streamModel(env, {
    caller: {
      orgId: x.run.orgId,
      purpose: 'pipeline_step',
      agentId: turn.agentId,
      runId: x.run.runId,
      stepKey: x.step.key,
    },
    model: turn.model ?? null,
    system: turn.system,
    messages: [{ role: 'user', content: turn.prompt }, ...(turn.history ?? [])],
    tools: turn.tools,
    signal: x.signal,
  });
  for await (const part of parts) {
    if (part.type === 'text-delta') {
      text += part.text;
      pending += part.text;
      if (pending.length >= DELTA_CHARS && !(await flush())) break;
    } else if (part.type === 'tool-call') calls.push(toolCallPart(part));
    else if (part.type === 'finish') usage = part.usage;
    else if (part.type === 'error')
      return {
        status: 'failed',
        error: `${part.kind}: ${part.message}`,
        retryable: RETRYABLE.has(part.kind),
        usage,
      };
  }
  if (x.signal.aborted || !(await flush()))
    return { status: 'failed', error: 'The attempt was cancelled', retryable: false, usage };
  return { ok: true, text, calls, usage };
}
