import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Actor } from './auth/principal';

/** What domain code needs to know about the caller; built from the HTTP request by `ctxOf`. */
export interface Ctx {
  env: Env;
  db: Db;
  actor: Actor;
  ip: string | null;
}
