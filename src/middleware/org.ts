import { createMiddleware } from 'hono/factory';
import { resolveOrg } from '../domain/orgs/context';
import type { AppEnv } from '../env';

/** Mounted on `/api/v1/orgs/:orgId/*`: every org-scoped route sees a verified `c.var.org`. */
export const orgContext = createMiddleware<AppEnv>(async (c, next) => {
  const orgId = c.req.param('orgId');
  if (!orgId) return next();
  c.set('org', await resolveOrg(c.var.db, c.var.principal, orgId));
  return next();
});
