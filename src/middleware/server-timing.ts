import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { RequestTiming, withTiming } from '../http/server-timing';
import { timedEnv } from '../lib/timed-bindings';

/**
 * First on every request: counts the D1 round trips and Durable Object calls the request makes
 * and reports them, with the total time, in `Server-Timing` (readable cross-origin too).
 */
export const serverTiming = createMiddleware<AppEnv>(async (c, next) => {
  // Absent only when the app is driven without bindings (some unit tests).
  if (c.env?.DB) c.env = timedEnv(c.env);
  const timing = new RequestTiming();
  await withTiming(timing, next);
  // A WebSocket upgrade's headers reach no script that could read them.
  if (c.res.status === 101) return;
  c.res.headers.set('Server-Timing', timing.header());
  c.res.headers.set('Timing-Allow-Origin', '*');
});
