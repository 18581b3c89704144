import { and, eq, gt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { notFound } from '../lib/errors';

/** A table whose rows belong to one organization and have a sortable text id. */
export type OrgTable = SQLiteTable & { id: SQLiteColumn; orgId: SQLiteColumn };

/** Where a list resumes: the id of the last row of the previous page (decoded from the cursor). */
export interface PageRequest {
  limit: number;
  after?: string;
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
 * One page of the organization's rows in id order (ids sort by creation time), fetched with one
 * extra row so that `toPage` knows whether another page follows. `where` narrows the list.
 */
export async function pageInOrg<T extends OrgTable>(
  db: Db,
  table: T,
  orgId: string,
  page: PageRequest,
  where?: SQL,
): Promise<T['$inferSelect'][]> {
  const rows = await db
    .select()
    .from(table as SQLiteTable)
    .where(and(eq(table.orgId, orgId), page.after ? gt(table.id, page.after) : undefined, where))
    .orderBy(table.id)
    .limit(page.limit + 1);
  return rows as T['$inferSelect'][];
}
