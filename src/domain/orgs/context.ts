import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships, organizations } from '../../db/schema';
import { notFound } from '../../lib/errors';
import type { Principal } from '../auth/principal';
import type { Role } from '../auth/scopes';

/** The organization a request acts in, and what the caller is there. */
export interface OrgContext {
  id: string;
  /** The member's role; null for API keys, which are governed by scopes. */
  role: Role | null;
  scopes: string[] | null;
}

/** Not a member, not the key's organization, deleted or missing: all answer the same 404. */
export async function resolveOrg(db: Db, principal: Principal, orgId: string): Promise<OrgContext> {
  if (principal.type === 'api_key') {
    // Authentication already refused keys of deleted organizations.
    if (principal.orgId !== orgId) throw notFound('Organization');
    return { id: orgId, role: null, scopes: principal.scopes };
  }
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(
      and(
        eq(memberships.orgId, orgId),
        eq(memberships.userId, principal.userId),
        isNull(organizations.deletedAt),
      ),
    )
    .limit(1);
  if (!row) throw notFound('Organization');
  return { id: orgId, role: row.role, scopes: null };
}
