import type { ReplyFrame } from './protocol';

/**
 * Translates a reply's frames into the Vercel AI SDK's UI message stream protocol (v1): the chunks
 * `useChat` and `readUIMessageStream` read, so an AI SDK app talks to an agent with no adapter.
 * Stateful per stream: text parts are opened and closed around tool calls.
 */
export const UI_STREAM_HEADER = { 'x-vercel-ai-ui-message-stream': 'v1' } as const;

export type UiChunk = Record<string, unknown> & { type: string };

export class UiStreamTranslator {
  private textOpen = false;
  private part = 0;
  private started = false;

  constructor(private readonly messageId: string) {}

  /** The chunks for one frame; `resumed` skips the opening `start` when a stream is picked up midway. */
  chunks(frame: ReplyFrame): UiChunk[] {
    const out: UiChunk[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', messageId: this.messageId }, { type: 'start-step' });
    }
    if ('content' in frame) {
      if (!this.textOpen) {
        this.textOpen = true;
        out.push({ type: 'text-start', id: this.textId() });
      }
      out.push({ type: 'text-delta', id: this.textId(), delta: frame.content });
      return out;
    }
    this.closeText(out);
    if ('tool_use' in frame) {
      if (frame.status === 'started')
        out.push({
          type: 'tool-input-available',
          toolCallId: frame.tool_call_id,
          toolName: frame.tool_use,
          input: frame.args ?? {},
        });
      else if (frame.status === 'finished')
        out.push({
          type: 'tool-output-available',
          toolCallId: frame.tool_call_id,
          output: frame.result ?? null,
        });
      else
        out.push({
          type: 'tool-output-error',
          toolCallId: frame.tool_call_id,
          errorText: frame.error ?? 'failed',
        });
    } else if ('approval_required' in frame) {
      out.push(
        {
          type: 'tool-input-available',
          toolCallId: frame.tool_call_id,
          toolName: frame.tool,
          input: frame.args ?? {},
        },
        { type: 'tool-approval-request', approvalId: frame.approval_id, toolCallId: frame.tool_call_id },
      );
    } else if ('done' in frame) out.push({ type: 'finish-step' }, { type: 'finish' });
    else out.push({ type: 'error', errorText: frame.error });
    return out;
  }

  private textId() {
    return `${this.messageId}:text:${this.part}`;
  }

  private closeText(out: UiChunk[]) {
    if (!this.textOpen) return;
    out.push({ type: 'text-end', id: this.textId() });
    this.textOpen = false;
    this.part += 1;
  }
}
