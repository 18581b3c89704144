import type { ReplyFrame, SessionEvent } from '../../src/domain/chat/protocol';
import { type Gap, gapAfter } from '../../src/domain/streams/protocol';
import { iso } from '../../src/lib/time';

/** Positions older than the newest this many are dropped from the log; the messages stay. */
export const LOG_CAPACITY = 5_000;
/** Sequence numbers are reserved this many at a time, durably, before any of them is sent. */
const SEQ_BLOCK = 1_000;
/** Frames are written together at most this long after the first of them was sent. */
export const FLUSH_MS = 20;

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  type: SessionEvent['type'];
  reply_id: string | null;
  data: string;
  time: number;
}

interface PendingFrame {
  seq: number;
  replyId: string;
  data: string;
  time: number;
  content: string | null;
  /** As it was sent, for replays before it is written. */
  event: SessionEvent;
}

export interface Meta {
  get(key: string): SqlStorageValue | undefined;
  set(key: string, value: SqlStorageValue): void;
}

/** Events after a position, and what the log no longer holds of them (null: nothing missing). */
export interface Replay {
  after: number;
  events: SessionEvent[];
  gap: Gap | null;
}

const toEvent = (r: EventRow): SessionEvent => {
  const data = JSON.parse(r.data);
  const time = iso(r.time);
  if (r.type === 'frame') return { seq: r.seq, type: 'frame', reply_id: r.reply_id!, frame: data, time };
  if (r.type === 'message') return { seq: r.seq, type: 'message', message: data, time };
  return { seq: r.seq, type: 'message_deleted', message_id: data.message_id, time };
};

/**
 * The session's ordered event log: every user message and every reply frame, under the sequence
 * numbers clients resume from. A reply's frames are sent before they are written and written
 * together (`flush`): one transaction per burst instead of one per frame, and no frame waits for
 * its own write. Any other write of the session, and any read of its messages, flushes first, so
 * storage always sees events in order. A replay writes nothing: it is the stored events and then
 * the frames not yet written, as they were sent (a write would hold the stream it opens until
 * the write is stored). Numbers are reserved in blocks ahead of use, so one sent but never
 * written (the object died in between) is never handed out again: after a restart numbering
 * skips ahead.
 */
export class EventLog {
  lastSeq: number;
  private reserved: number;
  private trimmedThrough: number;
  private pending: PendingFrame[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly meta: Meta,
    private readonly capacity = LOG_CAPACITY,
    private readonly sql = storage.sql,
  ) {
    this.reserved = Number(meta.get('seq_reserved') ?? 0);
    this.lastSeq = Math.max(Number(meta.get('last_seq') ?? 0), this.reserved);
    this.trimmedThrough = Number(meta.get('trimmed_through') ?? 0);
  }

  /** After the object's storage was erased. */
  reset() {
    this.discard();
    this.lastSeq = 0;
    this.reserved = 0;
    this.trimmedThrough = 0;
  }

  /** Forgets unwritten frames (the session is being erased). */
  discard() {
    this.cancelTimer();
    this.pending = [];
  }

  private cancelTimer() {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private nextSeq() {
    this.lastSeq += 1;
    if (this.lastSeq > this.reserved) {
      this.reserved = this.lastSeq + SEQ_BLOCK - 1;
      this.meta.set('seq_reserved', this.reserved);
    }
    return this.lastSeq;
  }

  /**
   * A reply frame under the next number, to be sent now and written with the next flush (text
   * frames also extend the reply's stored text then). A reply's end is followed by a change of
   * its status, which flushes.
   */
  frame(replyId: string, frame: ReplyFrame, now = Date.now()): SessionEvent {
    const seq = this.nextSeq();
    const event: SessionEvent = { seq, type: 'frame', reply_id: replyId, frame, time: iso(now) };
    this.pending.push({
      seq,
      replyId,
      data: JSON.stringify(frame),
      time: now,
      content: 'content' in frame ? frame.content : null,
      event,
    });
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return event;
  }

  /** Writes the frames sent since the last flush, in one transaction, and trims the log. */
  flush() {
    this.cancelTimer();
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    this.storage.transactionSync(() => {
      const text = new Map<string, string>();
      for (const f of frames) {
        this.sql.exec(
          "INSERT INTO events (seq, type, reply_id, data, time) VALUES (?, 'frame', ?, ?, ?)",
          f.seq,
          f.replyId,
          f.data,
          f.time,
        );
        if (f.content !== null) text.set(f.replyId, (text.get(f.replyId) ?? '') + f.content);
      }
      for (const [id, added] of text)
        this.sql.exec('UPDATE messages SET content = content || ? WHERE id = ?', added, id);
      this.meta.set('last_seq', frames.at(-1)!.seq);
      this.trim();
    });
  }

  /** Records a message event; the caller flushes first and runs it in the change's transaction. */
  append(type: 'message' | 'message_deleted', data: unknown, now: number): SessionEvent {
    const seq = this.nextSeq();
    const json = JSON.stringify(data);
    this.sql.exec(
      'INSERT INTO events (seq, type, reply_id, data, time) VALUES (?, ?, NULL, ?, ?)',
      seq,
      type,
      json,
      now,
    );
    this.meta.set('last_seq', seq);
    this.trim();
    return toEvent({ seq, type, reply_id: null, data: json, time: now });
  }

  /**
   * Drops positions older than the capacity. The replies that lose frames are noted with the
   * position they lost them through, so a reply's own stream can tell a gap from a fresh start.
   */
  private trim() {
    const through = this.lastSeq - this.capacity;
    // Once a tenth of the capacity has gathered beyond it, not on every write.
    if (through - this.trimmedThrough < Math.ceil(this.capacity / 10)) return;
    this.sql.exec(
      `INSERT OR REPLACE INTO trimmed_replies (reply_id, through)
       SELECT DISTINCT reply_id, ? FROM events WHERE seq <= ? AND reply_id IS NOT NULL`,
      through,
      through,
    );
    this.sql.exec('DELETE FROM events WHERE seq <= ?', through);
    this.trimmedThrough = through;
    this.meta.set('trimmed_through', through);
  }

  /** Every event after `after`, saying what the log no longer holds of them. */
  after(after: number): Replay {
    const rows = this.sql.exec<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq', after);
    return {
      after,
      events: [...rows.toArray().map(toEvent), ...this.unwritten((f) => f.seq > after)],
      gap: gapAfter(after, this.trimmedThrough + 1),
    };
  }

  /** One reply's frames after `after`; a gap only if frames of this reply were dropped. */
  replyAfter(replyId: string, after: number): Replay {
    const rows = this.sql.exec<EventRow>(
      'SELECT * FROM events WHERE reply_id = ? AND seq > ? ORDER BY seq',
      replyId,
      after,
    );
    const lost = this.sql
      .exec<{ through: number }>('SELECT through FROM trimmed_replies WHERE reply_id = ?', replyId)
      .toArray()[0]?.through;
    return {
      after,
      events: [
        ...rows.toArray().map(toEvent),
        ...this.unwritten((f) => f.replyId === replyId && f.seq > after),
      ],
      gap: lost === undefined ? null : gapAfter(after, lost + 1),
    };
  }

  /** The frames sent but not yet written that `wanted` picks; all come after every stored event. */
  private unwritten(wanted: (f: PendingFrame) => boolean): SessionEvent[] {
    return this.pending.filter(wanted).map((f) => f.event);
  }
}
