import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client';
import { known, mapRead, prepared, type Read, read, readTogether, together } from '../../src/db/reads';

const db = createDb(env.DB);
/** Stands in for a query: `decode` only ever sees the results the batch gave it. */
const fake = (name: string) => ({ name }) as unknown as Read<never>['queries'][number];

describe('reads run together', () => {
  it('gives each read the results of its own queries, in order', () => {
    const two: Read<string> = { queries: [fake('a'), fake('b')], decode: (r) => r.join('+') };
    const combined = together([known(1), two, mapRead(known('x'), (v) => v.toUpperCase()), two]);
    expect(combined.queries).toHaveLength(4);
    expect(combined.decode(['ra', 'rb', 'rc', 'rd'])).toEqual([1, 'ra+rb', 'X', 'rc+rd']);
  });

  it('runs every query in one batch, and none when every value is known', async () => {
    const one = (n: number) =>
      read(db.select({ n: sql<number>`${n}` }).from(sql`(SELECT 1)`), ([row]) => row!.n);
    let batches = 0;
    const counted = {
      $client: {
        prepare: (query: string) => env.DB.prepare(query),
        batch: (statements: D1PreparedStatement[]) => {
          batches++;
          return env.DB.batch(statements);
        },
      },
    } as unknown as Db;
    expect(await readTogether(counted, [one(1), known('k'), together([one(2), one(3)])])).toEqual([
      1,
      'k',
      [2, 3],
    ]);
    expect(batches).toBe(1);
    const noBatch = {
      $client: { batch: () => Promise.reject(new Error('no batch expected')) },
    } as unknown as Db;
    expect(await readTogether(noBatch, [known(1), known(2)])).toEqual([1, 2]);
  });

  it('builds a prepared query once and runs it with each read’s own values', async () => {
    let builds = 0;
    const echo = prepared(['n', 'word'], (client, p) => {
      builds++;
      // Named: in a batch, rows come back keyed by column name.
      const n = sql<number>`${p.n}`.as('n');
      return client.select({ n, word: sql<string>`${p.word}`.as('word') }).from(sql`(SELECT 1)`);
    });
    const of = (n: number, word: string) => read(echo(db, { n, word }), ([row]) => row);
    expect(await readTogether(db, [of(1, 'one'), of(2, 'two')])).toEqual([
      { n: 1, word: 'one' },
      { n: 2, word: 'two' },
    ]);
    expect(await readTogether(db, [of(3, 'three')])).toEqual([{ n: 3, word: 'three' }]);
    expect(builds).toBe(1);
  });

  it('refuses to run a prepared query without a value for each placeholder', async () => {
    const byOrg = prepared(['orgId'], (client, p) =>
      client.select({ id: sql<string>`${p.orgId}` }).from(sql`(SELECT 1)`),
    );
    const missing = read(byOrg(db, {} as { orgId: string }), (rows) => rows);
    await expect(readTogether(db, [missing])).rejects.toThrow(/orgId/);
  });
});
