import type { HistoryMessage } from '../../src/domain/chat/context';
import type { MessageStatus } from '../../src/domain/chat/protocol';

/**
 * A reply's history as the session's storage holds it: the finished messages before a position.
 * The caller flushes the event log first (see `SessionStore.historyBefore`).
 */

/** The statuses a message ends in: what a reply's history is made of. */
const FINISHED = "('complete', 'interrupted', 'cancelled', 'failed')";

/** How many history messages one read takes. */
const HISTORY_PAGE = 100;

interface HistoryRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  tokens: number | null;
  chars: number | null;
}

/**
 * Finished messages before `seq`, newest first, with what the model measured of each (the
 * `MeasuredStore`'s table, which the object creates beside the session store, joined). Read a
 * page at a time as they are consumed, each page's query run to its end: a long session's history
 * is read only as far back as a reply's context window reaches.
 */
export function* historyPages(sql: SqlStorage, seq: number): Generator<HistoryMessage> {
  for (let before = seq; ; ) {
    // `+status`: the status index would find every finished message (nearly all of them) and
    // sort them; walking the primary key back from `before` reads one page.
    const rows = sql
      .exec<HistoryRow>(
        `SELECT m.seq, m.id, m.role, m.content, m.status, t.tokens, t.chars FROM messages m
         LEFT JOIN measured_tokens t ON t.message_id = m.id
         WHERE m.seq < ? AND +m.status IN ${FINISHED} ORDER BY m.seq DESC LIMIT ?`,
        before,
        HISTORY_PAGE,
      )
      .toArray();
    for (const r of rows) {
      const measured = r.tokens === null || r.chars === null ? null : { tokens: r.tokens, chars: r.chars };
      yield { id: r.id, role: r.role, content: r.content, status: r.status, measured };
    }
    const last = rows.at(-1);
    if (!last || rows.length < HISTORY_PAGE) return;
    before = last.seq;
  }
}

/** How many finished messages come before `seq`. */
export const historyCount = (sql: SqlStorage, seq: number): number =>
  sql
    .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE seq < ? AND status IN ${FINISHED}`, seq)
    .one().n;
