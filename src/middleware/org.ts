import { createMiddleware } from 'hono/factory';
import { resolveOrg } from '../domain/orgs/context';
import type { AppEnv } from '../env';
import { ctxOf } from '../http/request';

/**
 * Mounted on `/api/v1/orgs/:orgId/*`: every org-scoped route sees a verified `c.var.org` and the
 * domain's view of the request in that organization, `c.var.ctx`.
 */
export const orgContext = createMiddleware<AppEnv>(async (c, next) => {
  const orgId = c.req.param('orgId');
  if (!orgId) return next();
  const org = await resolveOrg(c.var.db, c.var.principal, orgId);
  c.set('org', org);
  c.set('ctx', { ...ctxOf(c), org, orgId: org.id });
  return next();
});
