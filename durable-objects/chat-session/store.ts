import type { HistoryMessage } from '../../src/domain/chat/context';
import type { ChatMessage, MessageStatus, ReplyFrame, SessionEvent } from '../../src/domain/chat/protocol';
import type { SendInput } from '../../src/domain/chat/session-rpc';
import { ApprovalStore } from './approvals';
import { EventLog } from './event-log';
import { HistoryCache, historyCount } from './history';
import { MeasuredStore } from './measured';
import { MESSAGE_COLUMNS, type MessageRow, type NewMessage, toMessage } from './message-rows';

const SCHEMA_VERSION = 3;

/**
 * The session's SQLite storage: its messages, with the event log (`log`), tool approvals
 * (`approvals`) and the model's counts of each message (`measured`) beside them. Every read and
 * write here flushes the log's unwritten frames first, so a message's text and status are always
 * seen and stored in the order they happened.
 */
export class SessionStore {
  readonly log: EventLog;
  readonly approvals: ApprovalStore;
  readonly measured: MeasuredStore;
  private readonly history: HistoryCache;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly sql = storage.sql,
  ) {
    this.migrate();
    this.log = new EventLog(storage, { get: (k) => this.meta(k), set: (k, v) => this.setMeta(k, v) });
    this.approvals = new ApprovalStore(this.sql);
    this.history = new HistoryCache(this.sql);
    this.measured = new MeasuredStore(this.sql, (id) => this.history.changed(id));
  }

  /** After the object's storage was erased: empty tables, ready for use (the id may be reused). */
  reset() {
    this.migrate();
    this.log.reset();
    this.measured.ensure();
    this.history.clear();
  }

  private migrate() {
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)');
    if (this.meta('schema_version') === SCHEMA_VERSION) return;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, role TEXT NOT NULL, content TEXT NOT NULL,
        author_type TEXT, author_id TEXT, status TEXT NOT NULL, reply_id TEXT, in_reply_to TEXT,
        attachments TEXT NOT NULL, tool_calls TEXT NOT NULL, note TEXT, request TEXT, steps TEXT,
        created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY, type TEXT NOT NULL, reply_id TEXT, data TEXT NOT NULL, time INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS messages_status_idx ON messages (status);
      CREATE INDEX IF NOT EXISTS events_reply_idx ON events (reply_id, seq);
      CREATE TABLE IF NOT EXISTS trimmed_replies (reply_id TEXT PRIMARY KEY, through INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS approvals (
        id TEXT PRIMARY KEY, reply_id TEXT NOT NULL, tool_call_id TEXT NOT NULL, tool TEXT NOT NULL,
        args TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, expires_at INTEGER NOT NULL);`);
    this.setMeta('schema_version', SCHEMA_VERSION);
  }

  meta(key: string): SqlStorageValue | undefined {
    return this.sql.exec<{ value: SqlStorageValue }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]
      ?.value;
  }

  setMeta(key: string, value: SqlStorageValue) {
    this.sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /** Stores a message; a user message is also an event participants see. */
  insertMessage(m: NewMessage, now = Date.now()): { message: ChatMessage; event: SessionEvent | null } {
    this.log.flush();
    return this.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO messages (id, role, content, author_type, author_id, status, reply_id, in_reply_to,
           attachments, tool_calls, request, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)`,
        m.id,
        m.role,
        m.content,
        m.author?.type ?? null,
        m.author?.id ?? null,
        m.status,
        m.replyId,
        m.inReplyTo,
        JSON.stringify(m.attachments),
        m.request === undefined ? null : JSON.stringify(m.request),
        now,
      );
      const message = this.message(m.id)!;
      return { message, event: m.role === 'user' ? this.log.append('message', message, now) : null };
    });
  }

  /**
   * A send's user message and the assistant reply that answers it (`queued` behind a running one,
   * else streaming); the user message's event is for the participants.
   */
  insertExchange(input: SendInput, queued: boolean) {
    const { message, event } = this.insertMessage({
      id: input.messageId,
      role: 'user',
      content: input.content,
      author: input.author,
      status: 'complete',
      replyId: input.replyId,
      inReplyTo: null,
      attachments: input.attachments,
    });
    const { message: reply } = this.insertMessage({
      id: input.replyId,
      role: 'assistant',
      content: '',
      author: { type: 'agent', id: input.request.agentId },
      status: queued ? 'queued' : 'streaming',
      replyId: null,
      inReplyTo: input.messageId,
      attachments: [],
      request: input.request,
    });
    return { message, reply, event };
  }

  /** A reply's frame, sent now and written with the log's next flush (see `EventLog`). */
  frame(replyId: string, frame: ReplyFrame): SessionEvent {
    // Its text is added to the reply's: a finished reply gets no more frames, but if one did, the
    // history held would be out of date.
    this.history.changed(replyId);
    return this.log.frame(replyId, frame);
  }

  message(id: string): ChatMessage | null {
    this.log.flush();
    const row = this.sql
      .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`, id)
      .toArray()[0];
    return row ? toMessage(row) : null;
  }

  /**
   * A reply's status (null: no such reply), read without writing the frames sent since: a change
   * of status writes them first, so what is stored is current.
   */
  replyStatus(id: string): MessageStatus | null {
    const row = this.sql
      .exec<{ status: MessageStatus }>("SELECT status FROM messages WHERE id = ? AND role = 'assistant'", id)
      .toArray()[0];
    return row?.status ?? null;
  }

  /** What the Worker prepared for a reply, and the model messages of its steps so far. */
  replyState<R, S>(id: string): { request: R; steps: S[] } | null {
    const row = this.sql
      .exec<{ request: string | null; steps: string | null }>(
        'SELECT request, steps FROM messages WHERE id = ?',
        id,
      )
      .toArray()[0];
    if (!row?.request) return null;
    return { request: JSON.parse(row.request), steps: row.steps ? JSON.parse(row.steps) : [] };
  }

  saveSteps(id: string, steps: unknown[]) {
    this.log.flush();
    this.sql.exec('UPDATE messages SET steps = ? WHERE id = ?', JSON.stringify(steps), id);
  }

  setStatus(id: string, status: MessageStatus, note?: string | null) {
    this.log.flush();
    this.history.changed(id);
    if (note === undefined) this.sql.exec('UPDATE messages SET status = ? WHERE id = ?', status, id);
    else this.sql.exec('UPDATE messages SET status = ?, note = ? WHERE id = ?', status, note, id);
  }

  addToolCall(id: string, call: ChatMessage['tool_calls'][number]) {
    this.log.flush();
    this.sql.exec(
      "UPDATE messages SET tool_calls = json_insert(tool_calls, '$[#]', json(?)) WHERE id = ?",
      JSON.stringify(call),
      id,
    );
  }

  /** Deletes a message and the model's count of it. */
  deleteMessage(id: string, now = Date.now()): SessionEvent | null {
    this.log.flush();
    return this.storage.transactionSync(() => {
      const gone = this.sql.exec('DELETE FROM messages WHERE id = ?', id).rowsWritten;
      if (!gone) return null;
      // All of it: a deleted newest message's position is given to the next one.
      this.history.clear();
      this.measured.forget(id);
      return this.log.append('message_deleted', { message_id: id }, now);
    });
  }

  /** Messages in order, after or before a position. */
  messages(opts: { after?: number; before?: number; limit: number }): ChatMessage[] {
    this.log.flush();
    const rows =
      opts.before !== undefined
        ? this.sql
            .exec<MessageRow>(
              `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
              opts.before,
              opts.limit,
            )
            .toArray()
            .reverse()
        : this.sql
            .exec<MessageRow>(
              `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`,
              opts.after ?? 0,
              opts.limit,
            )
            .toArray();
    return rows.map(toMessage);
  }

  /** A reply's history: finished messages before `seq`, newest first (see `HistoryCache`). */
  *historyBefore(seq: number): Generator<HistoryMessage> {
    // When it is read, not when it is asked for: a frame may be sent in between.
    this.log.flush();
    yield* this.history.before(seq);
  }

  /** How many finished messages come before `seq`. */
  historyCount(seq: number): number {
    this.log.flush();
    return historyCount(this.sql, seq);
  }

  /** The reply in progress (streaming or waiting for an approval), if any. */
  activeReply(): ChatMessage | null {
    this.log.flush();
    const row = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE role = 'assistant' AND status IN ('streaming', 'awaiting_approval') LIMIT 1`,
      )
      .toArray()[0];
    return row ? toMessage(row) : null;
  }

  nextQueued(): ChatMessage | null {
    this.log.flush();
    const row = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE role = 'assistant' AND status = 'queued' ORDER BY seq LIMIT 1`,
      )
      .toArray()[0];
    return row ? toMessage(row) : null;
  }
}
