import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships } from '../../db/schema';
import type { Env } from '../../env';
import { type OrgStreamStub, orgStreamOf } from '../agents/events';
import type { Defer } from '../context';
import type { Revocation, RevocationTarget } from './owners';

/** Which organizations' streams a revocation goes to: one, or every one the user belongs to. */
export type RevocationScope = { orgId: string } | { userId: string };

interface Deps {
  env: Env;
  db: Db;
  defer?: Defer;
}

/**
 * Ends the live streams a revocation names; called once the revocation is committed. Each
 * organization's stream closes its own and passes the revocation on to its agent hubs.
 */
export function endStreams(deps: Deps, scope: RevocationScope, revocation: Revocation) {
  return toStreams(deps, scope, revocation.reason, (stream, at) => stream.revoke(revocation, at));
}

/** Like `endStreams`, but the streams close at `endsAt` rather than now. */
export function endStreamsAt(deps: Deps, orgId: string, target: RevocationTarget, endsAt: number) {
  return toStreams(deps, { orgId }, 'end_at', (stream, at) => stream.endBy(target, endsAt, at));
}

/**
 * With `defer` the caller does not wait (the call runs after the response); a failure is logged,
 * never turned into a failed revocation, since the credential is already refused for new requests.
 */
async function toStreams(
  deps: Deps,
  scope: RevocationScope,
  what: string,
  call: (stream: OrgStreamStub, at: number) => Promise<number>,
): Promise<void> {
  const at = Date.now();
  const work = async () => {
    const orgIds =
      'orgId' in scope
        ? [scope.orgId]
        : (
            await deps.db
              .select({ orgId: memberships.orgId })
              .from(memberships)
              .where(eq(memberships.userId, scope.userId))
          ).map((m) => m.orgId);
    await Promise.all(orgIds.map((orgId) => call(orgStreamOf(deps.env, orgId), at)));
  };
  const logged = () =>
    work().catch((err) => {
      console.error(JSON.stringify({ end_streams: what, failed: String(err) }));
    });
  if (deps.defer) deps.defer(logged);
  else await logged();
}
