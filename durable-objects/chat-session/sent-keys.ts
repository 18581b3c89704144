import type { ChatMessage } from '../../src/domain/chat/protocol';
import type { SendKey, SendOutcome } from '../../src/domain/chat/session-rpc';
import { IDEMPOTENCY_TTL_MS } from '../../src/domain/idempotency/store';

export interface SentKey extends Record<string, SqlStorageValue> {
  key: string;
  fingerprint: string;
  message_id: string;
  reply_id: string;
  created_at: number;
}

/**
 * The `Idempotency-Key`s messages were sent with, and what each sent. Kept in the session rather
 * than in D1 with the other keys: the answer is a reply stream that may run for minutes, so a
 * retry has to be recognised while it runs (and answered with that stream), and the object is the
 * one place that decides, without a race, whether a message is new.
 */
export class SentKeys {
  constructor(
    private readonly sql: SqlStorage,
    /** A stored message by id (null once deleted). */
    private readonly messageOf: (id: string) => ChatMessage | null,
  ) {
    this.ensure();
  }

  /** Also after the object's storage was erased. */
  ensure() {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS sent_keys (
      key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, message_id TEXT NOT NULL, reply_id TEXT NOT NULL,
      created_at INTEGER NOT NULL)`);
  }

  find(key: string, now = Date.now()): SentKey | null {
    const row = this.sql.exec<SentKey>('SELECT * FROM sent_keys WHERE key = ?', key).toArray()[0];
    return row && row.created_at > now - IDEMPOTENCY_TTL_MS ? row : null;
  }

  /**
   * What an earlier send with this key became: the same message and reply again (a retry starts
   * nothing), or a refusal when the key came with another request. Null: the key is new, or what
   * it sent was deleted since.
   */
  prior(key: SendKey): SendOutcome | null {
    const row = this.find(key.key);
    if (!row) return null;
    if (row.fingerprint !== key.fingerprint) return { ok: false, keyReused: true };
    const message = this.messageOf(row.message_id);
    const reply = this.messageOf(row.reply_id);
    if (!message || !reply) return null;
    return { ok: true, message, reply, queued: reply.status === 'queued', replayed: true };
  }

  /** Remembers a key for as long as keys are honoured elsewhere; older ones are forgotten now. */
  remember(row: SentKey) {
    this.sql.exec('DELETE FROM sent_keys WHERE created_at <= ?', row.created_at - IDEMPOTENCY_TTL_MS);
    this.sql.exec(
      'INSERT OR REPLACE INTO sent_keys (key, fingerprint, message_id, reply_id, created_at) VALUES (?, ?, ?, ?, ?)',
      row.key,
      row.fingerprint,
      row.message_id,
      row.reply_id,
      row.created_at,
    );
  }
}
