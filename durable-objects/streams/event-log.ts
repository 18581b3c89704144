import {
  filterMatches,
  gapAfter,
  type ReadResult,
  type StreamEvent,
  type StreamFilter,
} from '../../src/domain/streams/protocol';
import type { JsonObject } from '../../src/lib/json-value';
import { iso } from '../../src/lib/time';

const SCHEMA_VERSION = 1;

export interface AppendInput {
  type: string;
  agent_id: string;
  /** The event's sequence number in its agent's hub; omitted on the agent hub itself. */
  agent_seq?: number;
  payload: Record<string, unknown>;
  /** When it happened (ms); now, unless the event is being relayed from another stream. */
  time?: number;
}

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  type: string;
  agent_id: string;
  agent_seq: number;
  payload: string;
  time: number;
}

const toEvent = (r: EventRow): StreamEvent => ({
  seq: r.seq,
  type: r.type,
  agent_id: r.agent_id,
  agent_seq: r.agent_seq,
  payload: JSON.parse(r.payload),
  time: iso(r.time),
});

/**
 * A bounded, replayable event log in an object's SQLite storage, with a small key-value table
 * beside it for the object's own settings. Sequence numbers come from a counter in storage, so
 * they only grow and survive eviction; the log keeps the last `capacity` events.
 */
export class EventLog {
  private readonly sql: SqlStorage;
  lastSeq: number;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly capacityOf: () => number,
  ) {
    this.sql = storage.sql;
    this.migrate();
    this.lastSeq = Number(this.getMeta('last_seq') ?? 0);
  }

  private migrate() {
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)');
    if (this.getMeta('schema_version') === SCHEMA_VERSION) return;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS events (
         seq INTEGER PRIMARY KEY, type TEXT NOT NULL, agent_id TEXT NOT NULL,
         agent_seq INTEGER NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL)`,
    );
    this.setMeta('schema_version', SCHEMA_VERSION);
  }

  getMeta(key: string): SqlStorageValue | undefined {
    return this.sql.exec<{ value: SqlStorageValue }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]
      ?.value;
  }

  setMeta(key: string, value: SqlStorageValue) {
    this.sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /** How many of the latest events are kept. */
  get capacity() {
    return this.capacityOf();
  }

  /** Stores events under the next sequence numbers and trims the log, in one transaction. */
  append(items: AppendInput[], alsoInTransaction?: () => void): StreamEvent[] {
    if (items.length === 0) return [];
    const now = Date.now();
    const events: StreamEvent[] = [];
    let seq = this.lastSeq;
    this.storage.transactionSync(() => {
      for (const item of items) {
        seq += 1;
        const payload = JSON.stringify(item.payload);
        const agentSeq = item.agent_seq ?? seq;
        const time = item.time ?? now;
        this.sql.exec(
          'INSERT INTO events (seq, type, agent_id, agent_seq, payload, time) VALUES (?, ?, ?, ?, ?, ?)',
          seq,
          item.type,
          item.agent_id,
          agentSeq,
          payload,
          time,
        );
        events.push({
          seq,
          type: item.type,
          agent_id: item.agent_id,
          agent_seq: agentSeq,
          // It has just been serialized as JSON, so it holds nothing else.
          payload: item.payload as JsonObject,
          time: iso(time),
        });
      }
      this.sql.exec('DELETE FROM events WHERE seq <= ?', seq - this.capacity);
      this.setMeta('last_seq', seq);
      alsoInTransaction?.();
    });
    this.lastSeq = seq;
    return events;
  }

  private oldestSeq() {
    const row = this.sql.exec<{ oldest: number | null }>('SELECT min(seq) AS oldest FROM events').one();
    return row.oldest ?? this.lastSeq + 1;
  }

  /** Events after `after` that match `filter`, in order, at most `limit`, saying what was dropped. */
  readAfter(after: number, limit: number, filter: StreamFilter): ReadResult {
    const gap = gapAfter(after, this.oldestSeq());
    const events: StreamEvent[] = [];
    let hasMore = false;
    const rows = this.sql.exec<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq', after);
    for (const row of rows) {
      if (!filterMatches(filter, row)) continue;
      if (events.length === limit) {
        hasMore = true;
        break;
      }
      events.push(toEvent(row));
    }
    const next = hasMore ? events.at(-1)!.seq : Math.max(after, this.lastSeq);
    return { events, next_cursor: next, has_more: hasMore, latest_seq: this.lastSeq, gap };
  }

  /** Forgets every event; the counter stays, so a sequence number is never handed out twice. */
  clear() {
    this.sql.exec('DELETE FROM events');
  }
}
