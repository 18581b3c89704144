import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { MINUTE } from '../../lib/time';

export const RATE_LIMITS = {
  login: { limit: 5, windowMs: MINUTE },
  register: { limit: 5, windowMs: MINUTE },
  forgotPassword: { limit: 5, windowMs: MINUTE },
  /** Guesses at a TOTP code by a signed-in caller (confirm, disable), per user. */
  totpCode: { limit: 5, windowMs: MINUTE },
  /** Guesses at the current password by a signed-in caller, per user. */
  passwordChange: { limit: 5, windowMs: MINUTE },
} as const;

/** Counts one attempt against each key; the first key over its limit answers 429. */
export async function enforceRateLimit(env: Env, rule: keyof typeof RATE_LIMITS, keys: string[]) {
  const { limit, windowMs } = RATE_LIMITS[rule];
  const now = Date.now();
  const results = await Promise.all(
    keys.map((key) =>
      env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule}:${key}`)).hit(limit, windowMs, now),
    ),
  );
  const denied = results.find((r) => !r.allowed);
  if (denied) {
    throw new ApiError(
      'rate_limited',
      `Too many ${rule} attempts; try again in ${denied.retryAfterSeconds}s`,
      {
        // RateLimit and RateLimit-Policy as the IETF draft (httpapi-ratelimit-headers) words them.
        headers: {
          'Retry-After': String(denied.retryAfterSeconds),
          RateLimit: `"${rule}";r=0;t=${denied.retryAfterSeconds}`,
          'RateLimit-Policy': `"${rule}";q=${limit};w=${windowMs / 1000}`,
        },
      },
    );
  }
}
