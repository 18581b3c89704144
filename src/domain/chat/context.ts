import type { ModelMessage } from 'ai';
import type { Actor } from '../auth/principal';
import type { ChatMessage } from './protocol';

/** What the Worker prepares for a reply when its message is sent; the session's object runs it. */
export interface ReplyRequest {
  orgId: string;
  sessionId: string;
  agentId: string;
  /** Who sent the message: tools act as them, and the model call is billed to them. */
  actor: Actor;
  model: string | null;
  /** The agent's role prompt with its skills, rules and relevant memory. */
  system: string;
  /** How many tokens of history the model's context window leaves room for. */
  historyTokens: number;
  maxSteps: number;
  approvalTtlMs: number;
}

export const MAX_STEPS = 8;
export const APPROVAL_TTL_MS = 15 * 60_000;
/** Used when the model registry does not say how large the model's context window is. */
export const DEFAULT_CONTEXT_TOKENS = 32_000;

/** A rough token count (four characters a token), enough to decide what history fits. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4) + 4;

/**
 * The newest messages whose estimated tokens fit `budget`, oldest first, and how many older ones
 * were left out (never the current message: it is passed separately).
 */
export function fitHistory(newestFirst: ChatMessage[], budget: number) {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (const m of newestFirst) {
    const cost = estimateTokens(m.content);
    if (used + cost > budget) break;
    used += cost;
    kept.push(m);
  }
  return { messages: kept.reverse(), dropped: newestFirst.length - kept.length };
}

/** History as model messages; an interrupted reply is shown as such, so the model knows it was cut. */
export function historyMessages(history: ChatMessage[]): ModelMessage[] {
  return history
    .filter((m) => m.content !== '')
    .map((m) =>
      m.role === 'user'
        ? { role: 'user', content: m.content }
        : { role: 'assistant', content: m.status === 'complete' ? m.content : `${m.content} [${m.status}]` },
    );
}

export const droppedNote = (dropped: number) =>
  `${dropped} earlier message${dropped === 1 ? '' : 's'} of this conversation did not fit the model's context window and ${dropped === 1 ? 'was' : 'were'} left out.`;
