import { createMiddleware } from 'hono/factory';
import { type PolicyName, RATE_LIMITS, RateLimits } from '../domain/auth/rate-limits';
import type { AppEnv } from '../env';

/**
 * Route middleware for rate-limited routes: gives the handler `c.var.rateLimits` to count
 * against, and reports the limits on every response in the header fields of the IETF draft
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` lists the route's quota policies,
 * `RateLimit` where each policy counted for this request stands (requests refused before any
 * counting, e.g. invalid bodies, carry only the policies).
 */
export const rateLimited = (...policies: PolicyName[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const limits = new RateLimits(c.env);
    c.set('rateLimits', limits);
    await next();
    c.header(
      'RateLimit-Policy',
      policies
        .map((name) => `"${name}";q=${RATE_LIMITS[name].limit};w=${RATE_LIMITS[name].windowMs / 1000}`)
        .join(', '),
    );
    const quotas = policies.flatMap((name) => limits.quotas.get(name) ?? []);
    if (quotas.length > 0)
      c.header(
        'RateLimit',
        quotas.map((q) => `"${q.policy}";r=${q.remaining};t=${q.resetSeconds}`).join(', '),
      );
  });

/** What the OpenAPI document says about these headers, for the routes' descriptions. */
export const RATE_LIMIT_NOTE =
  'Responses carry `RateLimit-Policy` and `RateLimit` (IETF draft-ietf-httpapi-ratelimit-headers); ' +
  'a 429 names the limit that was reached and carries `Retry-After` in seconds.';
