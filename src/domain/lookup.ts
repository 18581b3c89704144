import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { notFound } from '../lib/errors';

/** A table whose rows belong to one organization and have a sortable text id. */
export type OrgTable = SQLiteTable & { id: SQLiteColumn; orgId: SQLiteColumn };

/** Where a list resumes: the cursor key of the last row of the previous page (decoded from the cursor). */
export interface PageRequest {
  limit: number;
  after?: string;
}

/** The names of a table's columns, e.g. `'id' | 'name'`. */
export type ColumnName<T extends SQLiteTable> = {
  [K in keyof T]: T[K] extends SQLiteColumn ? K : never;
}[keyof T] &
  string;

/**
 * How a list is ordered: by one unique column (the cursor key; default the id, which sorts by
 * creation time), ascending unless `desc` (newest first).
 */
export interface ListOrder<T extends SQLiteTable> {
  by?: ColumnName<T>;
  desc?: boolean;
}

/**
 * The clauses of one page ordered by `column`: the rows after the cursor, in order, one more than
 * asked so that `toPage` knows whether another page follows. Every list query is built with them.
 */
export function pageClauses(page: PageRequest, column: SQLiteColumn, descending = false) {
  return {
    after: page.after ? (descending ? lt(column, page.after) : gt(column, page.after)) : undefined,
    orderBy: descending ? desc(column) : asc(column),
    limit: page.limit + 1,
  };
}

/** The row, or undefined when it is missing or belongs to another organization (the same to callers). */
export async function findInOrg<T extends OrgTable>(
  db: Db,
  table: T,
  orgId: string,
  id: string,
): Promise<T['$inferSelect'] | undefined> {
  const rows = await db
    .select()
    .from(table as SQLiteTable)
    .where(and(eq(table.orgId, orgId), eq(table.id, id)))
    .limit(1);
  return rows[0] as T['$inferSelect'] | undefined;
}

/** The row, or a 404 naming `what` (another organization's row is indistinguishable from none). */
export async function getInOrg<T extends OrgTable>(
  db: Db,
  table: T,
  what: string,
  orgId: string,
  id: string,
): Promise<T['$inferSelect']> {
  const row = await findInOrg(db, table, orgId, id);
  if (!row) throw notFound(what);
  return row;
}

/**
 * One page of the organization's rows, in id order unless `order` says otherwise (the same column
 * must be the cursor key given to `paged`). `where` narrows the list.
 */
export async function pageInOrg<T extends OrgTable>(
  db: Db,
  table: T,
  orgId: string,
  page: PageRequest,
  where?: SQL,
  order: ListOrder<T> = {},
): Promise<T['$inferSelect'][]> {
  const column = (order.by ? table[order.by] : table.id) as SQLiteColumn;
  const p = pageClauses(page, column, order.desc);
  const rows = await db
    .select()
    .from(table as SQLiteTable)
    .where(and(eq(table.orgId, orgId), p.after, where))
    .orderBy(p.orderBy)
    .limit(p.limit);
  return rows as T['$inferSelect'][];
}
