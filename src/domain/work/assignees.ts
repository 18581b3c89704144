import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agents, memberships } from '../../db/schema';
import { ApiError } from '../../lib/errors';

/** Who works on a ticket: a member of the organization or one of its agents. */
export interface Assignee {
  type: 'user' | 'agent';
  id: string;
}

/** Refuses (422 on `path`) an assignee that is not a member or agent of the organization. */
export async function assertAssignable(db: Db, orgId: string, assignee: Assignee, path = 'assignee') {
  const found =
    assignee.type === 'user'
      ? await db
          .select({ id: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, assignee.id)))
          .limit(1)
      : await db
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.orgId, orgId), eq(agents.id, assignee.id)))
          .limit(1);
  if (found.length === 0) {
    const message =
      assignee.type === 'user'
        ? `User ${assignee.id} is not a member of this organization`
        : `Agent ${assignee.id} does not exist in this organization`;
    throw new ApiError('validation', message, { errors: [{ path, message }] });
  }
}
