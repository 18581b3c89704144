import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships, organizations } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { CredentialCache } from '../auth/credential-cache';
import type { Principal } from '../auth/principal';
import type { Role } from '../auth/scopes';
import { sessionCheck, sessionKnownOpen } from '../auth/sessions';

/** The organization a request acts in, and what the caller is there. */
export interface OrgContext {
  id: string;
  /** The member's role; null for API keys, which are governed by scopes. */
  role: Role | null;
  scopes: string[] | null;
}

/**
 * Roles found in the last second, by organization and user, trusted like credentials (see
 * `CredentialCache`): a member's role change or removal, or the organization's deletion, forgets
 * them in this isolate at once and in others within a second. Only memberships that exist are kept.
 */
const knownRoles = new CredentialCache<{ orgId: string; userId: string; role: Role }>();
const roleKey = (orgId: string, userId: string) => `${orgId} ${userId}`;

export function forgetMemberships(match: { orgId: string; userId?: string }) {
  knownRoles.forget(
    (m) => m.orgId === match.orgId && (match.userId === undefined || m.userId === match.userId),
  );
}

function membershipCheck(db: Db, orgId: string, userId: string) {
  const readAt = knownRoles.version;
  return {
    query: db
      .select({ role: memberships.role })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(
        and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), isNull(organizations.deletedAt)),
      )
      .limit(1),
    remember(rows: { role: Role }[], now: number) {
      const role = rows[0]?.role;
      if (role) knownRoles.set(roleKey(orgId, userId), { orgId, userId, role }, now, readAt);
      return role;
    },
  };
}

/**
 * Checks that a signed-in user's session is open, for a request made in `orgId`: when neither the
 * session nor the user's role there was confirmed in the last second, both are read in one round
 * trip, and the role found is kept for `resolveOrg`.
 */
export async function assertSessionOpenIn(db: Db, sessionId: string, userId: string, orgId: string) {
  const now = Date.now();
  const known = sessionKnownOpen(sessionId, userId, now);
  if (known !== null) return known;
  const session = sessionCheck(db, sessionId, userId, now);
  if (knownRoles.get(roleKey(orgId, userId), now)) return session.check(await session.query);
  const member = membershipCheck(db, orgId, userId);
  const [sessionRows, memberRows] = await db.batch([session.query, member.query]);
  member.remember(memberRows, now);
  return session.check(sessionRows);
}

/** Not a member, not the key's organization, deleted or missing: all answer the same 404. */
export async function resolveOrg(db: Db, principal: Principal, orgId: string): Promise<OrgContext> {
  if (principal.type === 'api_key') {
    // Authentication already refused keys of deleted organizations.
    if (principal.orgId !== orgId) throw notFound('Organization');
    return { id: orgId, role: null, scopes: principal.scopes };
  }
  const now = Date.now();
  let role = knownRoles.get(roleKey(orgId, principal.userId), now)?.role;
  if (!role) {
    const member = membershipCheck(db, orgId, principal.userId);
    role = member.remember(await member.query, now);
  }
  if (!role) throw notFound('Organization');
  return { id: orgId, role, scopes: null };
}
