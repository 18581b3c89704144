import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/**
 * API responses carry tokens, keys, revealed secrets and private data, so no cache (browser,
 * proxy, CDN) may keep one unless its route says otherwise with its own `Cache-Control`.
 */
export const noStoreByDefault = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // A WebSocket upgrade's response is never cached and must be passed on untouched.
  if (c.res.status !== 101 && !c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
});
