import type { JsonValue } from '../../lib/json-value';
import type { StepState, StepView } from './engine';

/** One step's row in its run's object (SQLite); times in ms. */
export interface StepRow extends Record<string, SqlStorageValue> {
  key: string;
  state: StepState;
  /** The current attempt (0 before the first dispatch). */
  attempt: number;
  /** The current attempt's token: only a report carrying it counts. */
  token: string | null;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /**
   * When the alarm acts on the step: a queued or running attempt times out, a retry is sent, a
   * waiting step ends on its own.
   */
  deadline: number | null;
  wait_outcome: 'succeed' | 'fail' | null;
  /** JSON text. */
  output: string | null;
  error: string | null;
  input_tokens: number;
  output_tokens: number;
}

export const STEP_TABLE = `CREATE TABLE IF NOT EXISTS steps (
  key TEXT PRIMARY KEY, state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, token TEXT,
  queued_at INTEGER, started_at INTEGER, finished_at INTEGER, deadline INTEGER, wait_outcome TEXT,
  output TEXT, error TEXT, input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0)`;

/** Typed access to the steps table of one run's object. */
export class StepStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(STEP_TABLE);
  }

  insert(keys: string[]) {
    for (const key of keys)
      this.sql.exec("INSERT OR IGNORE INTO steps (key, state) VALUES (?, 'pending')", key);
  }

  all(): StepRow[] {
    return this.sql.exec<StepRow>('SELECT * FROM steps').toArray();
  }

  get(key: string): StepRow | undefined {
    return this.sql.exec<StepRow>('SELECT * FROM steps WHERE key = ?', key).toArray()[0];
  }

  /** Sets the given columns of one step. */
  set(key: string, values: Partial<Omit<StepRow, 'key'>>) {
    const cols = Object.keys(values);
    if (cols.length === 0) return;
    this.sql.exec(
      `UPDATE steps SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE key = ?`,
      ...cols.map((c) => values[c as keyof typeof values] ?? null),
      key,
    );
  }

  /** The earliest deadline of any step, or null. */
  nextDeadline(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT min(deadline) AS at FROM steps').one().at;
  }

  views(): Map<string, StepView> {
    return new Map(this.all().map((r) => [r.key, { state: r.state, output: parseOutput(r.output) }]));
  }

  outputs(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const r of this.all()) if (r.state === 'succeeded') out[r.key] = parseOutput(r.output);
    return out;
  }
}

export const parseOutput = (text: string | null): JsonValue => (text === null ? null : JSON.parse(text));
