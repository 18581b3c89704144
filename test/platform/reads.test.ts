import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client';
import { known, mapRead, type Read, read, readTogether, together } from '../../src/db/reads';

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
      batch: (q: Parameters<Db['batch']>[0]) => {
        batches++;
        return db.batch(q);
      },
    } as unknown as Db;
    expect(await readTogether(counted, [one(1), known('k'), together([one(2), one(3)])])).toEqual([
      1,
      'k',
      [2, 3],
    ]);
    expect(batches).toBe(1);
    const noBatch = { batch: () => Promise.reject(new Error('no batch expected')) } as unknown as Db;
    expect(await readTogether(noBatch, [known(1), known(2)])).toEqual([1, 2]);
  });
});
