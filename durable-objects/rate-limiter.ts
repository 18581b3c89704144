import { DurableObject } from 'cloudflare:workers';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
  /** The window the attempt was counted in, to give it back to the same window. */
  windowStart: number;
}

interface Window {
  windowStart: number;
  count: number;
}

/**
 * A fixed-window counter, one object per key (e.g. `login-ip:203.0.113.7`). The object is the
 * single writer for its key, so concurrent requests cannot both slip under the limit.
 */
export class RateLimiter extends DurableObject {
  async hit(limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    const windowStart = now - (now % windowMs);
    const stored = await this.ctx.storage.get<Window>('window');
    const count = stored && stored.windowStart === windowStart ? stored.count + 1 : 1;
    await this.ctx.storage.put('window', { windowStart, count });
    return result(limit, windowMs, windowStart, count, now);
  }

  /** Uncounts one attempt of `windowStart`'s window; nothing to do once that window is over. */
  async giveBack(
    limit: number,
    windowMs: number,
    windowStart: number,
    now: number,
  ): Promise<RateLimitResult> {
    const stored = await this.ctx.storage.get<Window>('window');
    if (!stored || stored.windowStart !== windowStart) {
      const current = now - (now % windowMs);
      const count = stored?.windowStart === current ? stored.count : 0;
      return result(limit, windowMs, current, count, now);
    }
    const count = Math.max(0, stored.count - 1);
    await this.ctx.storage.put('window', { windowStart, count });
    return result(limit, windowMs, windowStart, count, now);
  }
}

function result(limit: number, windowMs: number, windowStart: number, count: number, now: number) {
  return {
    allowed: count <= limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
    windowStart,
  };
}
