import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships } from '../../db/schema';
import type { Env } from '../../env';
import type { Defer } from '../context';
import { orgStreamOf } from './events';
import type { Revocation } from './stream-owners';

/** Which organizations' streams a revocation goes to: one, or every one the user belongs to. */
export type RevocationScope = { orgId: string } | { userId: string };

/**
 * Ends the live streams a revocation names; called once the revocation is committed. Each
 * organization's stream closes its own and passes the revocation on to its agent hubs. With
 * `defer` the caller does not wait (it runs after the response); a failure is logged, never
 * turned into a failed revocation, since the credential is already refused for new requests.
 */
export async function endStreams(
  deps: { env: Env; db: Db; defer?: Defer },
  scope: RevocationScope,
  revocation: Revocation,
): Promise<void> {
  const at = Date.now();
  const work = (async () => {
    const orgIds =
      'orgId' in scope
        ? [scope.orgId]
        : (
            await deps.db
              .select({ orgId: memberships.orgId })
              .from(memberships)
              .where(eq(memberships.userId, scope.userId))
          ).map((m) => m.orgId);
    await Promise.all(orgIds.map((orgId) => orgStreamOf(deps.env, orgId).revoke(revocation, at)));
  })().catch((err) => {
    console.error(JSON.stringify({ end_streams: revocation.reason, failed: String(err) }));
  });
  if (deps.defer) deps.defer(work);
  else await work;
}
