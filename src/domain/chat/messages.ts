import type { Env } from '../../env';
import { decodeCursor, encodeCursor } from '../../http/pagination';
import { ApiError, notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import type { OrgCtx } from '../context';
import type { ChatMessage } from './protocol';
import { getSession, sessionObject } from './sessions';

/**
 * A page of messages in session order. Cursors go both ways: `next_cursor` to newer messages,
 * `prev_cursor` to older ones; `from: 'latest'` starts at the newest page (as a chat view does).
 */
export async function pageMessages(
  ctx: OrgCtx,
  sessionId: string,
  q: { limit: number; cursor?: string; from: 'oldest' | 'latest' },
) {
  await getSession(ctx, sessionId);
  const position = await decodePosition(ctx.env, q.cursor);
  const object = sessionObject(ctx, sessionId);
  const data = await (position
    ? object.messages(
        position.dir === 'after'
          ? { after: position.seq, limit: q.limit + 1 }
          : { before: position.seq, limit: q.limit + 1 },
      )
    : object.messages(
        q.from === 'latest'
          ? { before: Number.MAX_SAFE_INTEGER, limit: q.limit + 1 }
          : { limit: q.limit + 1 },
      ));
  const backwards = position ? position.dir === 'before' : q.from === 'latest';
  // One extra row says whether more lie in the direction of travel; it is at the far end.
  const more = data.length > q.limit;
  const page = more ? (backwards ? data.slice(1) : data.slice(0, q.limit)) : data;
  const first = page[0];
  const last = page.at(-1);
  const olderExists = backwards ? more : position !== null && first !== undefined;
  const newerExists = backwards ? position !== null && last !== undefined : more;
  return {
    data: page,
    next_cursor: newerExists && last ? await encodeCursor(ctx.env, `after:${last.seq}`) : null,
    prev_cursor: olderExists && first ? await encodeCursor(ctx.env, `before:${first.seq}`) : null,
  };
}

async function decodePosition(env: Env, cursor: string | undefined) {
  const key = await decodeCursor(env, cursor);
  if (key === undefined) return null;
  const [dir, seq] = key.split(':');
  if ((dir !== 'after' && dir !== 'before') || !seq || !/^\d+$/.test(seq))
    throw new ApiError('bad_request', 'The cursor is not one this API issued');
  return { dir, seq: Number(seq) } as const;
}

export async function getMessage(ctx: OrgCtx, sessionId: string, messageId: string): Promise<ChatMessage> {
  await getSession(ctx, sessionId);
  const m = await sessionObject(ctx, sessionId).message(messageId);
  if (!m) throw notFound('Message');
  return m;
}

/** Deletes one message (stopping it first if it is the reply in progress). */
export async function deleteMessage(ctx: OrgCtx, sessionId: string, messageId: string) {
  await getSession(ctx, sessionId);
  if (!(await sessionObject(ctx, sessionId).deleteMessage(messageId))) throw notFound('Message');
  await activityInsert(ctx, {
    orgId: ctx.orgId,
    action: 'chat_message.deleted',
    entityType: 'chat_session',
    entityId: sessionId,
    metadata: { message_id: messageId },
  });
}

/** The reply a stream is asked for: the message itself, or the reply to a user message. */
export async function replyIdOf(ctx: OrgCtx, sessionId: string, messageId: string) {
  const m = await getMessage(ctx, sessionId, messageId);
  const id = m.role === 'assistant' ? m.id : m.reply_id;
  if (!id) throw notFound('Reply');
  return id;
}
