import type { Db } from '../db/client';
import { expireApprovals } from '../domain/approvals/expiry';
import type { Env } from '../env';

/** Approvals past their expiry fail their steps; lost outcome reports are sent again. */
export const runApprovalExpiry = (env: Env, db: Db, now: number) =>
  expireApprovals({ env, db, actor: { type: 'system', id: 'housekeeping' }, ip: null }, now);
