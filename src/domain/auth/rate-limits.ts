import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { MINUTE } from '../../lib/time';

interface Policy {
  limit: number;
  windowMs: number;
  /** What is counted, for the 429's detail. */
  counts: string;
  /** Whose limit it is (`account` or `address`), for the 429's detail. */
  per: 'account' | 'address';
}

/**
 * Each limit is a quota policy in the sense of the IETF RateLimit header fields draft: its name is
 * what clients see in `RateLimit-Policy` and `RateLimit`.
 */
export const RATE_LIMITS = {
  'login-ip': { limit: 5, windowMs: MINUTE, counts: 'failed sign-in attempts', per: 'address' },
  'login-account': { limit: 5, windowMs: MINUTE, counts: 'failed sign-in attempts', per: 'account' },
  'register-ip': { limit: 5, windowMs: MINUTE, counts: 'registrations', per: 'address' },
  'forgot-password-ip': { limit: 5, windowMs: MINUTE, counts: 'password reset requests', per: 'address' },
  'forgot-password-account': {
    limit: 5,
    windowMs: MINUTE,
    counts: 'password reset requests',
    per: 'account',
  },
  /** Guesses at the current password by a signed-in caller. */
  'password-change-user': { limit: 5, windowMs: MINUTE, counts: 'password change attempts', per: 'account' },
  /** Guesses at a TOTP code by a signed-in caller (confirm, disable). */
  'totp-user': { limit: 5, windowMs: MINUTE, counts: 'two-factor code attempts', per: 'account' },
  /** Views and decisions through public approval links, which carry no other credential. */
  'approval-ip': { limit: 30, windowMs: MINUTE, counts: 'approval link requests', per: 'address' },
} as const satisfies Record<string, Policy>;

export type PolicyName = keyof typeof RATE_LIMITS;

/** Where one policy stands for this request once it was counted. */
export interface Quota {
  policy: PolicyName;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

/** Attempts counted by `take`, which `giveBack` can return. */
export interface Taken {
  hits: { policy: PolicyName; key: string; windowStart: number }[];
}

/**
 * The limits one request counts against, and where each stands afterwards (the route reports
 * them in headers). An attempt is counted before the work it guards, so concurrent requests
 * cannot all slip under a limit; one that turns out not to count (a successful login) is given
 * back afterwards.
 */
export class RateLimits {
  readonly quotas = new Map<PolicyName, Quota>();

  constructor(private readonly env: Env) {}

  private counter(policy: PolicyName, key: string) {
    return this.env.RATE_LIMITER.get(this.env.RATE_LIMITER.idFromName(`${policy}:${key}`));
  }

  private note(policy: PolicyName, result: { remaining: number; retryAfterSeconds: number }) {
    const { limit, windowMs } = RATE_LIMITS[policy];
    this.quotas.set(policy, {
      policy,
      limit,
      windowSeconds: windowMs / 1000,
      remaining: result.remaining,
      resetSeconds: result.retryAfterSeconds,
    });
  }

  /**
   * Counts one attempt per policy, keyed (e.g. by address or account). When any is over its
   * limit, the attempts counted against the others are given back (the request does nothing)
   * and the 429 says which limits were reached and when to retry.
   */
  async take(keys: Partial<Record<PolicyName, string>>): Promise<Taken> {
    const now = Date.now();
    const entries = Object.entries(keys) as [PolicyName, string][];
    const results = await Promise.all(
      entries.map(async ([policy, key]) => {
        const { limit, windowMs } = RATE_LIMITS[policy];
        const result = await this.counter(policy, key).hit(limit, windowMs, now);
        this.note(policy, result);
        return { policy, key, ...result };
      }),
    );
    const taken = { hits: results.filter((r) => r.allowed) };
    const denied = results.filter((r) => !r.allowed);
    if (denied.length === 0) return taken;
    await this.giveBack(taken);
    const retryAfter = Math.max(...denied.map((d) => d.retryAfterSeconds));
    const { counts } = RATE_LIMITS[denied[0]!.policy];
    const which = denied.map((d) => `this ${RATE_LIMITS[d.policy].per} (limit ${d.policy})`).join(' and ');
    throw new ApiError('rate_limited', `Too many ${counts} for ${which}; try again in ${retryAfter}s`, {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  /** Returns attempts that should not count; ones from a window that has since ended are dropped. */
  async giveBack(taken: Taken) {
    const now = Date.now();
    await Promise.all(
      taken.hits.map(async ({ policy, key, windowStart }) => {
        const { limit, windowMs } = RATE_LIMITS[policy];
        this.note(policy, await this.counter(policy, key).giveBack(limit, windowMs, windowStart, now));
      }),
    );
  }
}
