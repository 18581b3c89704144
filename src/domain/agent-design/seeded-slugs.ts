import type { BatchItem } from 'drizzle-orm/batch';
import { conflict } from '../../lib/errors';
import { commit } from '../commit';
import type { Ctx } from '../context';

/**
 * Roles and modes share one slug discipline: slugs are unique in an organization, the slugs of the
 * seeded system items are reserved, and a system item keeps its slug.
 */
export function slugRules(kind: 'role' | 'mode', systemSlugs: Record<string, unknown>) {
  const taken = (slug: string) => conflict(`A ${kind} with slug "${slug}" already exists`);
  const assertNotReserved = (slug: string) => {
    if (slug in systemSlugs) throw conflict(`"${slug}" is a system ${kind}'s slug`);
  };
  return {
    assertNotReserved,
    assertMayChange(current: { slug: string; system: boolean }, next: string | undefined) {
      if (next === undefined || next === current.slug) return;
      if (current.system) throw conflict(`A system ${kind}'s slug cannot change`);
      assertNotReserved(next);
    },
    /** Runs the write; a slug collision in it becomes a 409 naming the slug. */
    async write(
      ctx: Ctx,
      slug: string | undefined,
      statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]],
    ) {
      await commit(ctx.db, statements, { unique: () => (slug !== undefined ? taken(slug) : undefined) });
    },
  };
}
