import type { SQLWrapper } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './client';

/**
 * An id, or a query that yields it (one column, at most one row): a read in a batch can find its
 * rows through another row of the same batch (a session's agent) without waiting for it.
 */
export type IdRef = string | SQLWrapper;

/**
 * A read one module defines and another runs: its queries, and how their rows become the value
 * it stands for. Reads that do not depend on each other run together in one D1 round trip
 * (`readTogether`); a read that needs no query (`known`) costs nothing.
 */
export interface Read<T> {
  queries: BatchItem<'sqlite'>[];
  decode(results: unknown[]): T;
}

/** A read of one query; `decode` gets its rows as awaiting the query would. */
export const read = <Q extends BatchItem<'sqlite'>, T>(
  query: Q,
  decode: (rows: Awaited<Q>) => T,
): Read<T> => ({
  queries: [query],
  decode: ([rows]) => decode(rows as Awaited<Q>),
});

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

/** Runs the reads' queries as one D1 batch (one round trip) and decodes each read's share. */
export async function readTogether<const R extends readonly Read<unknown>[]>(
  db: Db,
  reads: R,
): Promise<Values<R>> {
  const all = together(reads);
  const results: unknown[] =
    all.queries.length === 0
      ? []
      : await db.batch(all.queries as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  return all.decode(results);
}
