import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Db = ReturnType<typeof createDb>;

const clients = new WeakMap<D1Database, ReturnType<typeof connect>>();
const connect = (d1: D1Database) => drizzle(d1, { schema });

/** One drizzle client per binding and isolate: building it (with the schema) is not free. */
export function createDb(d1: D1Database) {
  let db = clients.get(d1);
  if (!db) {
    db = connect(d1);
    clients.set(d1, db);
  }
  return db;
}
