import { DurableObject } from 'cloudflare:workers';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * A fixed-window counter, one object per key (e.g. `login:ip:203.0.113.7`). The object is the
 * single writer for its key, so concurrent requests cannot both slip under the limit.
 */
export class RateLimiter extends DurableObject {
  async hit(limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    const windowStart = now - (now % windowMs);
    const stored = await this.ctx.storage.get<{ windowStart: number; count: number }>('window');
    const count = stored && stored.windowStart === windowStart ? stored.count + 1 : 1;
    await this.ctx.storage.put('window', { windowStart, count });
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds };
  }
}
