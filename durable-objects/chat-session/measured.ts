/**
 * What the model reported about each message's text: how many tokens it counted, and how many
 * characters of the message that count covers (a reply cut off mid-turn has text it never
 * counted). History is fitted with these, and estimated only where nothing was measured (the
 * history read joins this table: `SessionStore.historyBefore`).
 */
export class MeasuredStore {
  constructor(
    private readonly sql: SqlStorage,
    /** Told of each message whose count changes. */
    private readonly changed: (messageId: string) => void,
  ) {
    this.ensure();
  }

  /** Also after the object's storage was erased. */
  ensure() {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS measured_tokens (
      message_id TEXT PRIMARY KEY, tokens INTEGER NOT NULL, chars INTEGER NOT NULL)`);
  }

  /** Adds one finished model turn's count: a reply is written over several turns, in order. */
  add(messageId: string, tokens: number, chars: number) {
    this.changed(messageId);
    this.sql.exec(
      `INSERT INTO measured_tokens (message_id, tokens, chars) VALUES (?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET tokens = tokens + excluded.tokens, chars = chars + excluded.chars`,
      messageId,
      tokens,
      chars,
    );
  }

  forget(messageId: string) {
    this.changed(messageId);
    this.sql.exec('DELETE FROM measured_tokens WHERE message_id = ?', messageId);
  }
}
