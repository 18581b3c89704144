import { type SQL, sql } from 'drizzle-orm';
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { type ApiError, conflict } from '../lib/errors';

/**
 * What refused a write. `guard` is a NOT NULL failure: every NOT NULL value the code writes is
 * known, so one only fails when a `guarded` value (or a subquery standing for a row read earlier)
 * found that what the write relied on had changed.
 */
export type ConstraintKind = 'unique' | 'guard' | 'foreign_key' | 'check';

export interface ConstraintFailure {
  kind: ConstraintKind;
  /** SQLite's message, naming the columns (e.g. `UNIQUE constraint failed: users.email`). */
  message: string;
}

const messages: [string, ConstraintKind][] = [
  ['UNIQUE constraint failed', 'unique'],
  ['NOT NULL constraint failed', 'guard'],
  ['FOREIGN KEY constraint failed', 'foreign_key'],
  ['CHECK constraint failed', 'check'],
];

/** D1 reports a constraint failure in the message of the error or of one of its causes. */
export function constraintFailure(err: unknown): ConstraintFailure | null {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    for (const [text, kind] of messages) if (e.message.includes(text)) return { kind, message: e.message };
  return null;
}

/**
 * A value that is only written when `condition` holds; on a NOT NULL column a failed condition
 * aborts the statement and with it the whole batch. D1 has no interactive transactions, so this
 * is how a batch refuses to land when what it checked beforehand has changed.
 */
export const guarded = (value: string, condition: SQL) => sql`(CASE WHEN ${condition} THEN ${value} END)`;

type Statements = Readonly<[BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]>;

/**
 * Runs the statements as one batch (all or nothing). A constraint failure comes back as a value
 * for callers that decide what it means (retry, or report "not changed"); other errors throw.
 */
export async function tryCommit<T extends Statements>(
  db: Db,
  statements: T,
): Promise<
  { ok: true; results: BatchResponse<T> } | { ok: false; failure: ConstraintFailure; error: unknown }
> {
  try {
    return { ok: true, results: await db.batch(statements) };
  } catch (err) {
    const failure = constraintFailure(err);
    if (!failure) throw err;
    return { ok: false, failure, error: err };
  }
}

/**
 * The problem a constraint failure becomes: a string is a 409 with that detail; a function may
 * look at the failure (or read the current state) and return the problem, or undefined when this
 * failure is not the one it expected (then the database error propagates).
 */
export type Problem =
  | string
  | ApiError
  | ((failure: ConstraintFailure) => ApiError | undefined | Promise<ApiError | undefined>);

export interface OnConstraint {
  /** A unique index refused the write: name what collided. */
  unique?: Problem;
  /** A guard tripped: what the write relied on changed at the same time. */
  guard?: Problem;
  /** A referenced row is gone. */
  foreignKey?: Problem;
  check?: Problem;
}

/**
 * Every referenced row is checked before a write, so a foreign key only fails when it was deleted
 * between that check and the batch.
 */
const referenceGone = 'Something this change refers to was deleted at the same time; reload and retry';

/** A domain event announcing a change (e.g. `agentEvent`): published by `commit`, never by its caller. */
export interface DomainEvent<Published = unknown> {
  publish(): Promise<Published>;
}

export interface CommitOptions extends OnConstraint {
  /**
   * Published in order once the batch has landed, and never for a refused batch. Awaited before
   * the caller goes on: a reader right after the response sees them, and a hub's numbering keeps
   * the order of the changes.
   */
  events?: readonly DomainEvent[];
}

/**
 * Runs the statements as one batch, then publishes the events it announces; a constraint failure
 * becomes the problem `on` names for it.
 */
export async function commit<T extends Statements>(
  db: Db,
  statements: T,
  on: CommitOptions = {},
): Promise<BatchResponse<T>> {
  const outcome = await tryCommit(db, statements);
  if (outcome.ok) {
    for (const event of on.events ?? []) await event.publish();
    return outcome.results;
  }
  const { failure } = outcome;
  const problem = {
    unique: on.unique,
    guard: on.guard,
    foreign_key: on.foreignKey ?? referenceGone,
    check: on.check,
  }[failure.kind];
  const error =
    typeof problem === 'string'
      ? conflict(problem)
      : typeof problem === 'function'
        ? await problem(failure)
        : problem;
  throw error ?? outcome.error;
}
