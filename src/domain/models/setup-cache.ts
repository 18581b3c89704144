import type { Db } from '../../db/client';
import { CredentialCache } from '../auth/credential-cache';
import { applicableBudgets, type BudgetRow } from './budget-ledger';
import type { CallableModel } from './registry';
import type { Routing } from './resolve';

/**
 * What the gateway reads before every call and that changes rarely (the registry's models with
 * their providers, the organization's routing, the budgets that apply, the providers' keys), kept
 * per isolate for the same second credentials are (see `CredentialCache`), so that a call usually
 * makes no D1 round trip before reaching its provider. Every write to these forgets its
 * organization's entries here at once (`forgetModelSetup`); other isolates see it within the
 * second. Spend is never cached: each call still reserves on the budget's row, so a cached budget
 * list cannot let a call overspend.
 */
const models = new CredentialCache<{ orgId: string; model: CallableModel }>();
const budgets = new CredentialCache<{ orgId: string; value: BudgetRow[] }>();
const keys = new CredentialCache<{ orgId: string; value: string | null }>();
const routings = new CredentialCache<{ orgId: string; value: Routing }>();

const keyOf = (orgId: string, id: string) => `${orgId} ${id}`;

/** After a write to an organization's models, providers, budgets or vault items. */
export function forgetModelSetup(orgId: string) {
  const inOrg = (v: { orgId: string }) => v.orgId === orgId;
  models.forget(inOrg);
  budgets.forget(inOrg);
  keys.forget(inOrg);
  routings.forget(inOrg);
}

/**
 * `load` reads the models by id or name; only models found are kept (a missing one is read again
 * next time, so one created since is seen at once), under the id or name they were asked by.
 */
export async function cachedModels(
  orgId: string,
  ids: string[],
  load: (ids: string[]) => Promise<CallableModel[]>,
  now = Date.now(),
): Promise<Map<string, CallableModel>> {
  const found = new Map<string, CallableModel>();
  for (const id of ids) {
    const hit = models.get(keyOf(orgId, id), now);
    if (hit) found.set(id, hit.model);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const readAt = models.version;
  for (const model of await load(missing))
    for (const id of missing)
      if (id === model.id || id === model.name) {
        found.set(id, model);
        models.set(keyOf(orgId, id), { orgId, model }, now, readAt);
      }
  return found;
}

/** A value kept for the organization under `key`: the cached one, else what `load` reads. */
async function through<V>(
  cache: CredentialCache<{ orgId: string; value: V }>,
  orgId: string,
  key: string,
  load: () => Promise<V>,
) {
  const now = Date.now();
  const hit = cache.get(key, now);
  if (hit) return hit.value;
  const readAt = cache.version;
  const value = await load();
  cache.set(key, { orgId, value }, now, readAt);
  return value;
}

/** The organization's routing rules and default model; `load` reads them. */
export const cachedRouting = (orgId: string, load: () => Promise<Routing>) =>
  through(routings, orgId, orgId, load);

/** The enabled budgets that govern a call (see `applicableBudgets`), none included. */
export const cachedBudgets = (db: Db, orgId: string, agentId: string | null | undefined) =>
  through(budgets, orgId, keyOf(orgId, agentId ?? ''), () => applicableBudgets(db, orgId, agentId));

/** A provider's API key from the vault item `itemId`; held only in this isolate's memory. */
export const cachedKey = (orgId: string, itemId: string, read: () => Promise<string | null>) =>
  through(keys, orgId, keyOf(orgId, itemId), read);
