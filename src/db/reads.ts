import { fillPlaceholders, type Placeholder, type Query, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from './client';

/**
 * An id: its value, a placeholder for it (`prepared`), or a query that yields it (one column, at
 * most one row), so a read in a batch can find its rows through another row of the same batch (a
 * session's agent) without waiting for it.
 */
export type IdRef = string | SQLWrapper;

/** What drizzle's `prepare()` gives: the query's SQL and parameters, and how a result becomes rows. */
interface Built {
  getQuery(): Query;
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
}

/** A query drizzle can build (a select); awaiting it gives its rows. */
type Buildable = PromiseLike<unknown> & { prepare(): Built };

/** A built query and the values of its placeholders, its rows typed `R`: one statement of a batch. */
export interface Bound<R> {
  built: Built;
  values: Record<string, unknown>;
  /** Carries the rows' type only. */
  readonly rows?: R;
}

/**
 * A query built once per isolate, with placeholders where each run's values go: the hot reads of
 * a request (a chat send's) skip drizzle building the same SQL every time, which costs more than
 * the statements' own work in D1. `build` gets only the client and the placeholders, so no value
 * of one request can be kept in the SQL another runs (an organization's id above all): define it
 * at module level. A placeholder's value is bound as given, not encoded by its column (JSON,
 * boolean or timestamp columns would need the stored form).
 */
export function prepared<const N extends string, Q extends Buildable>(
  names: readonly N[],
  build: (db: Db, p: Record<N, Placeholder<N>>) => Q,
) {
  const placeholders = Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as Record<
    N,
    Placeholder<N>
  >;
  const builtFor = new WeakMap<Db, Built>();
  return (db: Db, values: Record<N, unknown>): Bound<Awaited<Q>> => {
    let built = builtFor.get(db);
    if (!built) {
      built = build(db, placeholders).prepare();
      builtFor.set(db, built);
    }
    return { built, values };
  };
}

/**
 * A read one module defines and another runs: its queries, and how their rows become the value
 * it stands for. Reads that do not depend on each other run together in one D1 round trip
 * (`readTogether`); a read that needs no query (`known`) costs nothing.
 */
export interface Read<T> {
  queries: Bound<unknown>[];
  decode(results: unknown[]): T;
}

/** A read of one query (prepared, or built now); `decode` gets its rows as awaiting it would. */
export function read<R, T>(query: Bound<R>, decode: (rows: R) => T): Read<T>;
export function read<Q extends Buildable, T>(query: Q, decode: (rows: Awaited<Q>) => T): Read<T>;
export function read(query: Bound<unknown> | Buildable, decode: (rows: unknown) => unknown): Read<unknown> {
  const bound = 'built' in query ? query : { built: query.prepare(), values: {} };
  return { queries: [bound], decode: ([rows]) => decode(rows) };
}

/** The same queries, their value passed through `f`. */
export const mapRead = <T, U>(r: Read<T>, f: (value: T) => U): Read<U> => ({
  queries: r.queries,
  decode: (results) => f(r.decode(results)),
});

/** A value already known, where a read is expected. */
export const known = <T>(value: T): Read<T> => ({ queries: [], decode: () => value });

type Values<R extends readonly Read<unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends Read<infer T> ? T : never;
};

/** Several reads as one, whose value is theirs in order. */
export function together<const R extends readonly Read<unknown>[]>(reads: R): Read<Values<R>> {
  return {
    queries: reads.flatMap((r) => r.queries),
    decode: (results) => {
      let at = 0;
      return reads.map((r) => {
        const mine = results.slice(at, at + r.queries.length);
        at += r.queries.length;
        return r.decode(mine);
      }) as Values<R>;
    },
  };
}

/**
 * Runs the reads' queries as one D1 batch (one round trip) and decodes each read's share. Rows
 * come back from a batch keyed by column name, as drizzle's own batch has them.
 */
export async function readTogether<const R extends readonly Read<unknown>[]>(
  db: Db,
  reads: R,
): Promise<Values<R>> {
  const all = together(reads);
  if (all.queries.length === 0) return all.decode([]);
  const statements = all.queries.map(({ built, values }) => {
    const query = built.getQuery();
    return db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values));
  });
  const results = await db.$client.batch(statements);
  return all.decode(results.map((result, i) => all.queries[i]!.built.mapResult(result, true)));
}
