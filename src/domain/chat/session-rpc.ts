import type { MultitaskPolicy } from '../../db/schema/chat';
import type { ReplyRequest } from './context';
import type { Attachment, ChatMessage } from './protocol';

/** What the Worker and a session's `ChatSession` object say to each other over RPC. */

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

export type ApprovalAnswer =
  | { ok: true; approval: { id: string; tool: string; status: ApprovalStatus; reply_id: string } }
  | { ok: false; reason: 'not_found' | 'answered' };
