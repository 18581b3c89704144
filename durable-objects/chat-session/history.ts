import type { HistoryMessage } from '../../src/domain/chat/context';
import type { MessageStatus } from '../../src/domain/chat/protocol';

/**
 * A reply's history as the session's storage holds it: the finished messages before a position.
 * The caller flushes the event log first (see `SessionStore.historyBefore`).
 */

/** The statuses a message ends in: what a reply's history is made of. */
const FINISHED_STATUSES = new Set<MessageStatus>(['complete', 'interrupted', 'cancelled', 'failed']);
/** The same, as an SQL list. */
const FINISHED = `(${[...FINISHED_STATUSES].map((s) => `'${s}'`).join(', ')})`;

/** How many history messages one read takes. */
const HISTORY_PAGE = 100;

/** How much text the object keeps in memory (about half a million tokens); older text is read. */
export const MAX_KEPT_CHARS = 2_000_000;

interface HistoryRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  tokens: number | null;
  chars: number | null;
}

/** The columns of a history read, with what the model measured of each message joined. */
const HISTORY_SELECT = `SELECT m.seq, m.id, m.role, m.content, m.status, t.tokens, t.chars FROM messages m
  LEFT JOIN measured_tokens t ON t.message_id = m.id`;

const toHistory = (r: HistoryRow): HistoryMessage => ({
  id: r.id,
  role: r.role,
  content: r.content,
  status: r.status,
  measured: r.tokens === null || r.chars === null ? null : { tokens: r.tokens, chars: r.chars },
});

/**
 * Finished messages before `seq`, newest first, with what the model measured of each (the
 * `MeasuredStore`'s table, joined). Read a page at a time as they are consumed, each page's query
 * run to its end: a long session's history is read only as far back as a reply's context window
 * reaches.
 */
export function* historyPages(sql: SqlStorage, seq: number): Generator<HistoryMessage> {
  for (let before = seq; ; ) {
    // `+status`: the status index would find every finished message (nearly all of them) and
    // sort them; walking the primary key back from `before` reads one page.
    const rows = sql
      .exec<HistoryRow>(
        `${HISTORY_SELECT} WHERE m.seq < ? AND +m.status IN ${FINISHED} ORDER BY m.seq DESC LIMIT ?`,
        before,
        HISTORY_PAGE,
      )
      .toArray();
    for (const r of rows) yield toHistory(r);
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

/**
 * Every finished message from `from` up to `through`, oldest first, and no unfinished one lies
 * in between: so only a change to a message it holds can make it wrong. `through` is never past
 * the newest message read (+ 1), so new messages, placed after the newest stored, all come after
 * it (a deleted newest message's place is given again: deletions drop the stretch).
 */
interface Stretch {
  from: number;
  through: number;
  messages: { seq: number; message: HistoryMessage }[];
  ids: Set<string>;
  chars: number;
}

/**
 * The session's recent history, kept in memory while the object lives: each reply would
 * otherwise read every message its context window reaches, on every send. Storage is read only
 * for what came since the last reply's history (the last exchange, usually) and for what is older
 * than the object's memory of it. The store reports every change to a message (`changed`);
 * one to a message held here drops what is held, to be read again.
 */
export class HistoryCache {
  private stretch: Stretch | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly maxChars = MAX_KEPT_CHARS,
  ) {}

  /** Finished messages before `seq`, newest first (as `historyPages`). */
  *before(seq: number): Generator<HistoryMessage> {
    this.stretch ??= { from: seq, through: seq, messages: [], ids: new Set(), chars: 0 };
    const s = this.stretch;
    const newer = seq > s.through ? this.extend(s, seq) : [];
    for (let i = newer.length - 1; i >= 0; i--) yield newer[i]!;
    const held = s.messages;
    for (let i = held.length - 1; i >= 0; i--) if (held[i]!.seq < seq) yield held[i]!.message;
    yield* historyPages(this.sql, Math.min(s.from, seq));
  }

  /** A message was changed or deleted. */
  changed(id: string) {
    if (this.stretch?.ids.has(id)) this.stretch = null;
  }

  clear() {
    this.stretch = null;
  }

  /**
   * Takes in the messages from the stretch's end up to `seq`, as far as the first unfinished one;
   * returns the finished ones after that, which are read again next time.
   */
  private extend(s: Stretch, seq: number) {
    const rows = this.sql
      .exec<HistoryRow>(`${HISTORY_SELECT} WHERE m.seq >= ? AND m.seq < ? ORDER BY m.seq`, s.through, seq)
      .toArray();
    const beyond: HistoryMessage[] = [];
    let open = false;
    for (const r of rows) {
      if (!FINISHED_STATUSES.has(r.status)) {
        if (!open) s.through = r.seq;
        open = true;
      } else if (open) beyond.push(toHistory(r));
      else {
        s.messages.push({ seq: r.seq, message: toHistory(r) });
        s.ids.add(r.id);
        s.chars += r.content.length;
      }
    }
    const last = rows.at(-1);
    if (!open && last) s.through = last.seq + 1;
    while (s.chars > this.maxChars) {
      const oldest = s.messages.shift()!;
      s.ids.delete(oldest.message.id);
      s.chars -= oldest.message.content.length;
      s.from = oldest.seq + 1;
    }
    return beyond;
  }
}
