import type { Attachment, ChatMessage, MessageStatus } from '../../src/domain/chat/protocol';
import { iso } from '../../src/lib/time';

/** A message as the session's `messages` table holds it, and as the API gives it. */

export interface MessageRow extends Record<string, SqlStorageValue> {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  author_type: string | null;
  author_id: string | null;
  status: MessageStatus;
  reply_id: string | null;
  in_reply_to: string | null;
  attachments: string;
  tool_calls: string;
  note: string | null;
  created_at: number;
}

/**
 * A message's columns, without what only its reply's run reads (`request`, `steps`: the prompt,
 * tool offer and model messages of each step), so listing history does not read them.
 */
export const MESSAGE_COLUMNS =
  'seq, id, role, content, author_type, author_id, status, reply_id, in_reply_to, attachments, tool_calls, note, created_at';

export const toMessage = (r: MessageRow): ChatMessage => ({
  id: r.id,
  seq: r.seq,
  role: r.role,
  content: r.content,
  author: r.author_type && r.author_id ? { type: r.author_type, id: r.author_id } : null,
  status: r.status,
  reply_id: r.reply_id,
  in_reply_to: r.in_reply_to,
  attachments: JSON.parse(r.attachments),
  tool_calls: JSON.parse(r.tool_calls),
  note: r.note,
  created_at: iso(r.created_at),
});

export interface NewMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  author: { type: string; id: string } | null;
  status: MessageStatus;
  replyId: string | null;
  inReplyTo: string | null;
  attachments: Attachment[];
  /** For a reply: what the Worker prepared for it (see ReplyRequest). */
  request?: unknown;
}
