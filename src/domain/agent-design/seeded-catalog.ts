import { and, eq } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getInOrg, type OrgTable, type PageRequest, pageInOrg } from '../lookup';

/** A catalog's table: entries of one organization, unique by slug, the seeded ones marked `system`. */
export type CatalogTable = OrgTable & { slug: SQLiteColumn; system: SQLiteColumn; updatedAt: SQLiteColumn };

/** The columns every catalog entry has. */
interface Entry {
  id: string;
  slug: string;
  system: boolean;
  updatedAt: number;
}

export interface CatalogSpec<T extends CatalogTable, Defaults extends object> {
  /** Names the entries in problems, in activity actions (`role.created`) and as the entity type. */
  kind: 'role' | 'mode';
  /** What a 404 names. */
  what: string;
  idPrefix: string;
  table: T;
  /** The entries every organization has, by slug; each can be edited and reset to these values. */
  system: Record<string, Defaults>;
}

/**
 * One mechanism for roles and modes: built-in entries seeded per organization (edited freely,
 * reset to their defaults, never deleted, their slugs reserved and fixed) beside custom ones, with
 * every change and its activity entry in one batch.
 */
export function seededCatalog<T extends CatalogTable, Defaults extends object>(
  spec: CatalogSpec<T, Defaults>,
) {
  type Row = T['$inferSelect'] & Entry;
  const { kind, table, system } = spec;
  // Drizzle's builders cannot check rows against a generic table; every row written here is a
  // `Row` or a part of one, which is what the table's own type accepts.
  const rows = table as SQLiteTable;
  const inOrg = (orgId: string, id: string) => and(eq(table.orgId, orgId), eq(table.id, id));
  const taken = (slug: string) => conflict(`A ${kind} with slug "${slug}" already exists`);
  const assertNotReserved = (slug: string) => {
    if (slug in system) throw conflict(`"${slug}" is a system ${kind}'s slug`);
  };
  const activity = (
    ctx: OrgCtx,
    action: 'created' | 'updated' | 'deleted' | 'reset',
    id: string,
    metadata: object,
  ) =>
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: `${kind}.${action}`,
      entityType: kind,
      entityId: id,
      metadata: { ...metadata },
    });
  const get = async (db: Db, orgId: string, id: string) =>
    (await getInOrg(db, table, spec.what, orgId, id)) as Row;

  /**
   * Seeds the organization's system entries the first time its catalog is listed; the unique
   * (org_id, slug) index makes this safe to run concurrently and repeatedly.
   */
  async function seed(db: Db, orgId: string) {
    const now = Date.now();
    const seeded = Object.entries(system).map(([slug, d]) => ({
      id: newId(spec.idPrefix, now),
      orgId,
      slug,
      system: true,
      ...d,
      createdAt: now,
      updatedAt: now,
    }));
    await db.insert(rows).values(seeded).onConflictDoNothing();
  }

  return {
    get,
    seed,

    /** Ordered by slug, which the (org_id, slug) unique index serves; the cursor is the last slug. */
    async list(ctx: OrgCtx, page: PageRequest): Promise<Row[]> {
      await seed(ctx.db, ctx.orgId);
      return (await pageInOrg<CatalogTable>(ctx.db, table, ctx.orgId, page, undefined, {
        by: 'slug',
      })) as Row[];
    },

    async create(ctx: OrgCtx, row: Row): Promise<Row> {
      assertNotReserved(row.slug);
      await commit(
        ctx.db,
        [ctx.db.insert(rows).values(row), activity(ctx, 'created', row.id, { slug: row.slug })],
        {
          unique: () => taken(row.slug),
        },
      );
      return row;
    },

    /** `changes` are the columns `input` sets; a system entry keeps its slug. */
    async update(ctx: OrgCtx, id: string, input: { slug?: string }, changes: Partial<Row>): Promise<Row> {
      const row = await get(ctx.db, ctx.orgId, id);
      const slug = input.slug;
      if (slug !== undefined && slug !== row.slug) {
        if (row.system) throw conflict(`A system ${kind}'s slug cannot change`);
        assertNotReserved(slug);
      }
      const now = Date.now();
      await commit(
        ctx.db,
        [
          ctx.db
            .update(rows)
            .set({ ...changes, updatedAt: now })
            .where(inOrg(ctx.orgId, id)),
          activity(ctx, 'updated', id, { slug: slug ?? row.slug, changed: Object.keys(input) }),
        ],
        { unique: () => (slug !== undefined ? taken(slug) : undefined) },
      );
      return { ...row, ...changes, updatedAt: now };
    },

    /** Deletes a custom entry once `check` (what else must hold) passes; system entries are reset instead. */
    async remove(ctx: OrgCtx, id: string, check?: (row: Row) => Promise<void>) {
      const row = await get(ctx.db, ctx.orgId, id);
      if (row.system) throw conflict(`System ${kind}s cannot be deleted; reset them instead`);
      await check?.(row);
      await commit(ctx.db, [
        ctx.db.delete(rows).where(inOrg(ctx.orgId, id)),
        activity(ctx, 'deleted', id, { slug: row.slug }),
      ]);
    },

    /** Puts a system entry back to its defaults. */
    async reset(ctx: OrgCtx, id: string): Promise<Row> {
      const row = await get(ctx.db, ctx.orgId, id);
      const defaults = system[row.slug];
      if (!row.system || !defaults) throw conflict(`Only system ${kind}s can be reset; this one is custom`);
      const now = Date.now();
      await commit(ctx.db, [
        ctx.db
          .update(rows)
          .set({ ...defaults, updatedAt: now })
          .where(inOrg(ctx.orgId, id)),
        activity(ctx, 'reset', id, { slug: row.slug }),
      ]);
      return { ...row, ...defaults, updatedAt: now };
    },

    /** Whether a system entry still reads as its defaults; null for custom entries. */
    isDefault(row: Row): boolean | null {
      const defaults = system[row.slug];
      if (!row.system || !defaults) return null;
      return Object.entries(defaults).every(
        ([column, value]) => JSON.stringify(row[column as keyof Row]) === JSON.stringify(value),
      );
    },
  };
}
