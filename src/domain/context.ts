import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Actor } from './auth/principal';
import type { OrgContext } from './orgs/context';

/**
 * Hands work to the runtime to finish after the response (the Worker's `waitUntil`). In a request
 * it starts after the current task (`afterThisTask`), so a response returned in that task is
 * handed off before any of the work runs.
 */
export type Defer = (work: () => Promise<unknown>) => void;

/** What domain code needs to know about the caller; built from the HTTP request by `ctxOf`. */
export interface Ctx {
  env: Env;
  db: Db;
  actor: Actor;
  ip: string | null;
  /** Outside a request there is nothing to finish after, and such work is awaited instead. */
  defer?: Defer;
}

/** A caller acting inside one organization (every `/orgs/{orgId}` route): `c.var.ctx`. */
export interface OrgCtx extends Ctx {
  org: OrgContext;
  orgId: string;
}

/** The platform acting on its own inside an organization (cron, queue consumers, run objects). */
export const systemOrgCtx = (env: Env, db: Db, orgId: string, actorId: string): OrgCtx => ({
  env,
  db,
  actor: { type: 'system', id: actorId },
  ip: null,
  org: { id: orgId, role: null, scopes: null },
  orgId,
});
