import type { ModelMessage, ToolCallPart, ToolResultPart } from 'ai';
import { attachmentContext } from '../../src/domain/chat/attachments';
import { type ReplyRequest, shareOf } from '../../src/domain/chat/context';
import type { ChatMessage, ReplyErrorKind, ReplyFrame } from '../../src/domain/chat/protocol';
import { recordToolCall } from '../../src/domain/chat/tool-calls';
import { type ReplyTools, toolsForReply } from '../../src/domain/chat/tool-set';
import type { Defer } from '../../src/domain/context';
import { streamModel } from '../../src/domain/models/gateway';
import type { AgentTools } from '../../src/domain/tools';
import {
  assistantTurn,
  runToolCall,
  toolCallPart,
  toolErrorText,
  toolResultPart,
} from '../../src/domain/tools/calls';
import type { Env } from '../../src/env';
import { newId } from '../../src/lib/ids';
import type { JsonValue } from '../../src/lib/json-value';
import { iso } from '../../src/lib/time';
import { type ReplyContext, replyContext } from './reply-context';
import type { SessionStore } from './store';

export interface ReplyHost {
  env: Env;
  store: SessionStore;
  /** Stores and delivers one frame of a reply. */
  emit(replyId: string, frame: ReplyFrame): void;
  /** Wakes the object when the earliest approval expires. */
  alarmBy(at: number): Promise<void>;
  defer: Defer;
}

type Step = ModelMessage;

interface Turn {
  text: string;
  calls: ToolCallPart[];
  usage: { inputTokens: number; outputTokens: number } | null;
}

/**
 * Runs one reply: model turns through the gateway, tool calls between them, until the model
 * answers without tools, a step limit, an error, a cancellation or an approval to wait for. The
 * steps so far live in storage, so a reply paused for approval resumes from there (even in a new
 * instance of the object), and `drive` is simply called again.
 */
export class ReplyRun {
  readonly controller = new AbortController();

  constructor(
    private readonly host: ReplyHost,
    readonly replyId: string,
  ) {}

  get aborted() {
    return this.controller.signal.aborted;
  }

  async drive(): Promise<'paused' | 'ended'> {
    const { store } = this.host;
    const state = store.replyState<ReplyRequest, Step>(this.replyId);
    const reply = store.message(this.replyId);
    const question = reply?.in_reply_to ? store.message(reply.in_reply_to) : null;
    if (!state || !reply || !question)
      return this.fail('invalid_request', 'The message this reply answers was deleted');
    const { request, steps } = state;
    const [tools, files] = await Promise.all([
      toolsForReply(this.host.env, request, this.host.defer),
      attachmentContext(this.host.env, question.attachments),
    ]);
    // Stopped meanwhile (cancelled, interrupted, deleted): its status is no longer this run's.
    if (this.aborted) return 'ended';
    const context = replyContext(this.host, this.replyId, request, question, files);
    for (;;) {
      const waiting = await this.settleToolCalls(request, tools, steps);
      if (this.aborted) return 'ended';
      if (waiting) return 'paused';
      if (steps.filter((s) => s.role === 'assistant').length >= request.maxSteps)
        return this.fail('max_steps', `The reply reached its limit of ${request.maxSteps} model steps`);
      const turn = await this.turn(request, context, steps, tools);
      if (this.aborted || turn === 'failed') return 'ended';
      this.measure(turn, steps.length === 0 ? { context, question } : null);
      if (turn.calls.length === 0) {
        this.host.emit(this.replyId, { done: true });
        store.setStatus(this.replyId, 'complete');
        return 'ended';
      }
      steps.push(assistantTurn(turn.text, turn.calls));
      store.saveSteps(this.replyId, steps);
    }
  }

  /**
   * Keeps what the model reported for a finished turn: its output counts the reply's text of that
   * turn (with any tool calls, which history leaves out: an overcount, on the safe side); the
   * first turn's input also measures the message being answered, by its share.
   */
  private measure(turn: Turn, first: { context: ReplyContext; question: ChatMessage } | null) {
    if (!turn.usage) return;
    const { measured } = this.host.store;
    measured.add(this.replyId, turn.usage.outputTokens, turn.text.length);
    if (first) {
      const chars = first.question.content.length;
      measured.add(first.question.id, shareOf(turn.usage.inputTokens, chars, first.context.chars), chars);
    }
  }

  private async turn(
    request: ReplyRequest,
    context: ReplyContext,
    steps: Step[],
    tools: ReplyTools,
  ): Promise<Turn | 'failed'> {
    let text = '';
    const calls: ToolCallPart[] = [];
    let usage: Turn['usage'] = null;
    const parts = streamModel(
      this.host.env,
      {
        caller: {
          orgId: request.orgId,
          purpose: 'chat',
          userId: request.actor.type === 'user' ? request.actor.id : null,
          apiKeyId: request.actor.type === 'api_key' ? request.actor.id : null,
          agentId: request.agentId,
          chatSessionId: request.sessionId,
        },
        model: request.model,
        preferredModel: request.resolvedModel,
        system: context.system,
        messages: [...context.messages, ...steps],
        tools: Object.keys(tools.definitions).length > 0 ? tools.definitions : undefined,
        signal: this.controller.signal,
      },
      this.host.defer,
    );
    for await (const part of parts) {
      if (this.aborted) return 'failed';
      if (part.type === 'text-delta') {
        text += part.text;
        this.host.emit(this.replyId, { content: part.text });
      } else if (part.type === 'tool-call') calls.push(toolCallPart(part));
      else if (part.type === 'finish') usage = part.usage;
      else if (part.type === 'error') {
        this.fail(part.kind, part.message);
        return 'failed';
      }
    }
    return { text, calls, usage };
  }

  /**
   * Runs the tool calls of the last model turn that have no result yet, in order; stops at the
   * first that needs an approval not yet given (true: the reply waits).
   */
  private async settleToolCalls(request: ReplyRequest, offered: ReplyTools, steps: Step[]): Promise<boolean> {
    const last = steps.at(-1);
    if (last?.role !== 'assistant' || typeof last.content === 'string') return false;
    const calls = last.content.filter((p): p is ToolCallPart => p.type === 'tool-call');
    const tools = await offered.live();
    // Calls run before a pause are recorded on the reply, so resuming never runs one twice.
    const settled = new Map(this.host.store.message(this.replyId)?.tool_calls.map((c) => [c.id, c]));
    const results: ToolResultPart[] = [];
    for (const call of calls) {
      const prior = settled.get(call.toolCallId);
      if (prior) {
        results.push(toolResultPart(call, prior.result));
        continue;
      }
      const decision = this.approvalFor(call, tools, request);
      if (decision === 'pending') return true;
      results.push(await this.runTool(request, tools, call, decision));
      if (this.aborted) return false;
    }
    steps.push({ role: 'tool', content: results });
    this.host.store.saveSteps(this.replyId, steps);
    return false;
  }

  /** 'run', 'pending' (asked now or earlier), or why the call was refused. */
  private approvalFor(call: ToolCallPart, tools: AgentTools, request: ReplyRequest) {
    if (!tools.requiresApproval(call.toolName)) return 'run' as const;
    const { store } = this.host;
    const existing = store.approvals.byCall(this.replyId, call.toolCallId);
    if (existing?.status === 'approved') return 'run' as const;
    if (existing && existing.status !== 'pending')
      return {
        refused:
          existing.status === 'expired'
            ? 'the approval expired'
            : `rejected: ${existing.reason ?? 'no reason given'}`,
      };
    if (!existing) {
      const id = newId('apr');
      const expiresAt = Date.now() + request.approvalTtlMs;
      store.approvals.insert({
        id,
        reply_id: this.replyId,
        tool_call_id: call.toolCallId,
        tool: call.toolName,
        args: JSON.stringify(call.input ?? {}),
        expires_at: expiresAt,
      });
      store.setStatus(this.replyId, 'awaiting_approval');
      this.host.emit(this.replyId, {
        approval_required: true,
        tool: call.toolName,
        args: call.input ?? {},
        approval_id: id,
        tool_call_id: call.toolCallId,
        expires_at: iso(expiresAt),
      });
      this.host.defer(() => this.host.alarmBy(expiresAt));
    }
    return 'pending' as const;
  }

  private async runTool(
    request: ReplyRequest,
    tools: AgentTools,
    call: ToolCallPart,
    decision: 'run' | { refused: string },
  ): Promise<ToolResultPart> {
    const base = { tool_use: call.toolName, tool_call_id: call.toolCallId };
    this.host.store.setStatus(this.replyId, 'streaming');
    const started = Date.now();
    let ok = false;
    let value: unknown;
    if (decision === 'run') {
      this.host.emit(this.replyId, { ...base, status: 'started', args: call.input ?? {} });
      const r = await runToolCall(tools, call, this.controller.signal);
      ok = r.ok;
      value = r.output;
    } else value = { error: decision.refused };
    if (this.aborted) return toolResultPart(call, value);
    this.host.emit(
      this.replyId,
      ok
        ? { ...base, status: 'finished', result: value }
        : { ...base, status: 'failed', error: toolErrorText(value) },
    );
    this.host.store.addToolCall(this.replyId, {
      id: call.toolCallId,
      name: call.toolName,
      // Tool inputs and results crossed JSON on their way here (model output, tool protocol).
      args: (call.input ?? {}) as JsonValue,
      status: ok ? 'finished' : 'failed',
      result: (value ?? null) as JsonValue,
    });
    // Awaited, so a reply is only done once its audit trail is written.
    await recordToolCall(this.host.env, request, {
      replyId: this.replyId,
      tool: call.toolName,
      toolCallId: call.toolCallId,
      ok,
      ms: Date.now() - started,
    });
    return toolResultPart(call, value);
  }

  fail(kind: ReplyErrorKind, message: string): 'ended' {
    this.host.emit(this.replyId, { error: message, kind });
    this.host.store.setStatus(
      this.replyId,
      kind === 'cancelled' ? 'cancelled' : kind === 'interrupted' ? 'interrupted' : 'failed',
      message,
    );
    return 'ended';
  }
}
