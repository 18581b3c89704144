import type { MultitaskPolicy } from '../../db/schema/chat';
import type { ReplyRequest } from './context';
import type { Attachment, ChatMessage } from './protocol';

/**
 * What the Worker and a session's `ChatSession` object say to each other: over RPC, and the send,
 * a fetch because it answers with the sender's stream of the reply.
 */

export const SEND_URL = 'https://chat.internal/send';

/** A reply's frames after a position, in Foreman's frames or the UI message stream protocol. */
export const replyStreamUrl = (replyId: string, after: number, ui: boolean) =>
  `https://chat.internal/replies/${replyId}/stream?after=${after}${ui ? '&protocol=ui' : ''}`;

/** The send's body: the message, and the protocol its stream is in. */
export interface SendRequest {
  input: SendInput;
  ui: boolean;
}

/** The status of a tool approval a reply asked for. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface SendInput {
  messageId: string;
  replyId: string;
  content: string;
  author: { type: string; id: string };
  attachments: Attachment[];
  policy: MultitaskPolicy;
  request: ReplyRequest;
  idempotency?: SendKey;
}

/** An `Idempotency-Key` scoped to its sender, and a fingerprint of the request it came with. */
export interface SendKey {
  key: string;
  fingerprint: string;
}

export type SendOutcome =
  | { ok: true; message: ChatMessage; reply: ChatMessage; queued: boolean; replayed: boolean }
  | { ok: false; running: string }
  | { ok: false; keyReused: true };

/** What a send's stream names in its headers: the message stored, the reply, and whether a retry's. */
export function sendHeaders(sent: { message: ChatMessage; reply: ChatMessage; replayed: boolean }) {
  const headers: Record<string, string> = { 'X-Message-Id': sent.message.id, 'X-Reply-Id': sent.reply.id };
  if (sent.replayed) headers['Idempotent-Replayed'] = 'true';
  return headers;
}

export type ApprovalAnswer =
  | { ok: true; approval: { id: string; tool: string; status: ApprovalStatus; reply_id: string } }
  | { ok: false; reason: 'not_found' | 'answered' };
