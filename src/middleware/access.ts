import { createMiddleware } from 'hono/factory';
import { hasScope, type Role, roleAtLeast, type Scope } from '../domain/auth/scopes';
import type { AppEnv } from '../env';
import { forbidden } from '../lib/errors';

/**
 * Members need at least `role`; API keys need `scope`. Without a scope the route is for
 * signed-in users only (e.g. deleting an organization).
 */
export const requireAccess = (role: Role, scope?: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const org = c.var.org;
    if (org.role !== null) {
      if (!roleAtLeast(org.role, role))
        throw forbidden(`This needs the ${role} role or higher; you are ${org.role}`);
    } else if (!scope) {
      throw forbidden('API keys cannot do this; sign in as a user');
    } else if (!hasScope(org.scopes ?? [], scope)) {
      throw forbidden(`This API key lacks the ${scope} scope`);
    }
    return next();
  });
