import type { Context } from 'hono';
import { actorOf } from '../domain/auth/principal';
import type { Ctx, Defer } from '../domain/context';
import type { AppEnv } from '../env';
import { forbidden } from '../lib/errors';
import { afterThisTask } from '../lib/tasks';
import { untimed } from './server-timing';

/** Set by Cloudflare's edge (and wrangler dev); a client-sent X-Forwarded-For is not trusted. */
export const clientIp = (c: Context<AppEnv>) => c.req.header('CF-Connecting-IP') ?? null;

/** The domain's view of an authenticated request. */
export function ctxOf(c: Context<AppEnv>): Ctx {
  return {
    env: c.env,
    db: c.var.db,
    actor: actorOf(c.var.principal),
    ip: clientIp(c),
    defer: deferOf(c),
  };
}

/** Work the request's response need not wait for: it runs after, and outside the request's timing. */
export const deferOf =
  (c: Context<AppEnv>): Defer =>
  (work) =>
    c.executionCtx.waitUntil(untimed(() => afterThisTask(work)));

/** For routes about the signed-in person (sessions, password, two-factor): API keys are refused. */
export function requireUser(c: Context<AppEnv>) {
  const p = c.var.principal;
  if (p.type !== 'user') throw forbidden('This needs a signed-in user, not an API key');
  return p;
}
