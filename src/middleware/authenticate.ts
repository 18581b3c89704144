import { createMiddleware } from 'hono/factory';
import { API_KEY_PREFIX, authenticateApiKey, recordKeyUsage } from '../domain/api-keys/authenticate';
import { assertSessionActive } from '../domain/auth/sessions';
import { verifyToken } from '../domain/auth/tokens';
import { assertSessionOpenIn } from '../domain/orgs/context';
import type { AppEnv } from '../env';
import { deferOf } from '../http/request';
import { unauthenticated } from '../lib/errors';

/** The only routes under /api/v1 that need no credentials. */
export const PUBLIC_ROUTES: ReadonlyArray<readonly [method: string, path: string]> = [
  ['POST', '/api/v1/auth/register'],
  ['POST', '/api/v1/auth/login'],
  ['POST', '/api/v1/auth/refresh'],
  ['POST', '/api/v1/auth/password/forgot'],
  ['POST', '/api/v1/auth/password/reset'],
  ['GET', '/api/v1/events/catalog'],
  // Browsers open streams with a short-lived ticket in the URL instead (see streamsRouter).
  ['GET', '/api/v1/stream'],
  // Approval links: the token in the path is the credential (see publicApprovalsRouter).
  ['GET', '/api/v1/approvals/public/{token}'],
  ['POST', '/api/v1/approvals/public/{token}'],
];

const publicSet = new Set(PUBLIC_ROUTES.map(([m, p]) => `${m} ${p}`));
/** Allow-listed paths with a parameter, which stands for exactly one path segment. */
const publicPatterns = PUBLIC_ROUTES.filter(([, p]) => p.includes('{')).map(
  ([m, p]) => new RegExp(`^${m} ${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
);
const isPublic = (method: string, path: string) => {
  const route = `${method} ${path}`;
  return publicSet.has(route) || publicPatterns.some((p) => p.test(route));
};

/** The organization an org-scoped path names (ids need no percent-decoding), if any. */
const ORG_PATH = /^\/api\/v1\/orgs\/([^/%]+)(?:\/|$)/;

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'OPTIONS' || isPublic(c.req.method, c.req.path)) return next();

  const header = c.req.header('Authorization');
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthenticated('Send `Authorization: Bearer <access token or API key>`');

  if (token.startsWith(API_KEY_PREFIX)) {
    const principal = await authenticateApiKey(c.var.db, token);
    c.set('principal', principal);
    await next();
    // Usage is written after the response, off the request's critical path.
    const use = {
      keyId: principal.keyId,
      orgId: principal.orgId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
    };
    deferOf(c)(() => recordKeyUsage(c.var.db, use));
    return;
  }

  const claims = await verifyToken(c.env, 'access', token);
  const sid = typeof claims.sid === 'string' ? claims.sid : '';
  // In an organization, the session and the caller's membership are read together.
  const orgId = ORG_PATH.exec(c.req.path)?.[1];
  const endsAt = orgId
    ? await assertSessionOpenIn(c.var.db, sid, claims.sub, orgId)
    : await assertSessionActive(c.var.db, sid, claims.sub);
  c.set('principal', { type: 'user', userId: claims.sub, sessionId: sid, endsAt });
  return next();
});
