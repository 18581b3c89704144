import type { Db } from './db/client';
import type { Principal } from './domain/auth/principal';
import type { OrgContext } from './domain/orgs/context';

/** Bindings and vars declared in wrangler.toml, plus secrets read from the environment. */
export interface Env {
  DB: D1Database;
  RATE_LIMITER: DurableObjectNamespace<import('../durable-objects/rate-limiter').RateLimiter>;
  ENVIRONMENT: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  BUILD_ID: string;
  DEV_OUTBOX?: string;
  /** HMAC key(s) for JWTs: `kid:secret` pairs separated by commas; the first signs, all verify. */
  JWT_SECRET: string;
  /** AES-256 master keys as `version:base64` pairs separated by commas; the highest version wraps. */
  VAULT_MASTER_KEYS: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    principal: Principal;
    org: OrgContext;
  };
}
