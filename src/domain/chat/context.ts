import type { ModelMessage } from 'ai';
import type { Actor } from '../auth/principal';
import type { ToolOffer } from '../tools';
import type { ChatMessage } from './protocol';

/** What the Worker prepares for a reply when its message is sent; the session's object runs it. */
export interface ReplyRequest {
  orgId: string;
  sessionId: string;
  agentId: string;
  /** Who sent the message: tools act as them, and the model call is billed to them. */
  actor: Actor;
  /** The model named on the send, if one was. */
  model: string | null;
  /**
   * The model resolved when the message was sent (its history was sized for it): every turn of the
   * reply uses it while it can be used, and the session's object resolves nothing before the first
   * token. Absent from replies stored before it was kept.
   */
  resolvedModel?: string | null;
  /** The agent's role prompt with its skills, rules and relevant memory. */
  system: string;
  /**
   * The tools the model is offered, as the Worker found them when the message was sent; they are
   * built to run only when the model calls one. Absent from replies stored before it was prepared
   * here: those build their tools first.
   */
  tools?: ToolOffer;
  /** How many tokens of history the model's context window leaves room for. */
  historyTokens: number;
  maxSteps: number;
  approvalTtlMs: number;
}

export const MAX_STEPS = 8;
export const APPROVAL_TTL_MS = 15 * 60_000;
/** Used when the model registry does not say how large the model's context window is. */
export const DEFAULT_CONTEXT_TOKENS = 32_000;

/** A rough token count (four characters a token), for text no model has counted yet. */
const textTokens = (chars: number) => Math.ceil(chars / 4);
/** The estimate of a whole message: its text and a few tokens of message framing. */
export const estimateTokens = (text: string) => textTokens(text.length) + 4;

/** What a model reported for a message's text: tokens, and how many characters they cover. */
export interface MeasuredTokens {
  tokens: number;
  chars: number;
}

/**
 * A message's share of a prompt's reported input tokens, by its share of the prompt's text: the
 * model counts a prompt, not each message, and this spreads its count by length.
 */
export const shareOf = (inputTokens: number, chars: number, promptChars: number) =>
  promptChars > 0 ? Math.ceil((inputTokens * Math.min(chars, promptChars)) / promptChars) : 0;

/** A finished message as a reply's history reads it, with what the model measured of it, if anything. */
export interface HistoryMessage extends Pick<ChatMessage, 'id' | 'role' | 'content' | 'status'> {
  measured: MeasuredTokens | null;
}

/** A history message as the model is sent it; an interrupted reply is shown as such, so it knows. */
const sentText = (m: HistoryMessage) =>
  m.role === 'user' || m.status === 'complete' ? m.content : `${m.content} [${m.status}]`;

/** What a history message costs: the model's own count of what it measured, the estimate for the rest. */
export function historyCost(m: HistoryMessage) {
  const text = sentText(m);
  const measured = m.measured;
  if (m.content === '') return 0;
  if (!measured) return estimateTokens(text);
  return measured.tokens + (text.length > measured.chars ? textTokens(text.length - measured.chars) : 0);
}

/**
 * The newest messages that fit `budget` tokens, oldest first, and whether an older one was left
 * out (never the current message: it is passed separately). Counted as the model reported them
 * where it did (see `historyCost`). Reads no further back than the first message that does not fit.
 */
export function fitHistory(newestFirst: Iterable<HistoryMessage>, budget: number) {
  const kept: HistoryMessage[] = [];
  let used = 0;
  for (const m of newestFirst) {
    const cost = historyCost(m);
    if (used + cost > budget) return { messages: kept.reverse(), full: true };
    used += cost;
    kept.push(m);
  }
  return { messages: kept.reverse(), full: false };
}

export function historyMessages(history: HistoryMessage[]): ModelMessage[] {
  return history
    .filter((m) => m.content !== '')
    .map((m) => ({ role: m.role, content: sentText(m) }) as ModelMessage);
}

export const droppedNote = (dropped: number) =>
  `${dropped} earlier message${dropped === 1 ? '' : 's'} of this conversation did not fit the model's context window and ${dropped === 1 ? 'was' : 'were'} left out.`;
