import type { JsonValue } from '../../lib/json-value';

/**
 * What a chat session's object stores and streams, shared by the object, the Worker's routes and
 * the tests. Pure: no storage, no HTTP.
 */

/** The frames of one reply, as the seed's chat stream shapes them (plus ids for tools). */
export type ReplyFrame =
  | { content: string }
  | {
      tool_use: string;
      tool_call_id: string;
      status: 'started' | 'finished' | 'failed';
      args?: unknown;
      result?: unknown;
      error?: string;
    }
  | {
      approval_required: true;
      tool: string;
      args: unknown;
      approval_id: string;
      tool_call_id: string;
      expires_at: string;
    }
  | { done: true }
  | { error: string; kind: ReplyErrorKind };

export type ReplyErrorKind =
  | 'budget_exceeded'
  | 'no_model'
  | 'provider'
  | 'rate_limited'
  | 'timeout'
  | 'cancelled'
  | 'interrupted'
  | 'invalid_request'
  | 'max_steps'
  | 'restarted';

/** `{done}` or `{error}` ends a reply; a failed tool's frame also carries `error` but does not. */
export const isTerminal = (f: ReplyFrame) => 'done' in f || ('error' in f && !('tool_use' in f));

export const MESSAGE_STATUSES = [
  'queued',
  'complete',
  'streaming',
  'awaiting_approval',
  'interrupted',
  'cancelled',
  'failed',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface Attachment {
  name: string;
  content_type: string;
  size: number;
  key: string;
}

export interface ChatMessage {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  author: { type: string; id: string } | null;
  status: MessageStatus;
  /** For a reply: the user message it answers; for a user message: its reply. */
  reply_id: string | null;
  in_reply_to: string | null;
  attachments: Attachment[];
  tool_calls: { id: string; name: string; args: JsonValue; status: string; result?: JsonValue }[];
  /** Why a reply stopped early, or how much history its context left out. */
  note: string | null;
  created_at: string;
}

/** One entry of the session's ordered log: what participants see, resumable by `seq`. */
export type SessionEvent =
  | { seq: number; type: 'message'; message: ChatMessage; time: string }
  | { seq: number; type: 'frame'; reply_id: string; frame: ReplyFrame; time: string }
  | { seq: number; type: 'message_deleted'; message_id: string; time: string };

/** Live only, never stored: who is connected and who is typing. */
export interface Presence {
  user_id: string;
  state: 'join' | 'leave' | 'typing';
}

export const sseBlock = (data: unknown, id?: number, event?: string) =>
  `${id !== undefined ? `id: ${id}\n` : ''}${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** Which wire format a reply is streamed in. */
export type ReplyProtocol = 'foreman' | 'ui';

/** The internal header in which the Worker names who opens a live stream. */
export const PARTICIPANT_HEADER = 'X-Chat-Participant';
