import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { createDb } from '../../src/db/client';
import type { VaultItemSchema } from '../../src/routes/vault/schemas';
import { call, unique } from './http';
import { addMember, newApiKey, newUser, type Role, type TestUser } from './users';

/** `/api/v1/orgs/{orgId}/vault/items[/{itemId}[/{action}]]` */
export const itemsPath = (orgId: string, itemId?: string, action?: 'reveal' | 'rotate') =>
  `/api/v1/orgs/${orgId}/vault/items${itemId ? `/${itemId}` : ''}${action ? `/${action}` : ''}`;

export const db = () => createDb(env.DB);

/** A well-formed id no item has. */
export const MISSING_ITEM_ID = 'vlt_0000000000zzzzzzzzzzzzzzzz';

/** A distinct secret per call, so finding it anywhere means it leaked, not that two tests share it. */
export const secretValue = () => `sk-live-${crypto.randomUUID()}-${unique('v')}`;

type VaultItem = ReturnType<typeof VaultItemSchema.parse>;

/** Stores an item as `token` and returns it with the value that was stored. */
export async function storeItem(
  token: string,
  orgId: string,
  body: { name?: string; value?: string; description?: string } = {},
) {
  const value = body.value ?? secretValue();
  const res = await call(itemsPath(orgId), { token, body: { name: unique('item'), ...body, value } });
  expect(res.status, res.text).toBe(201);
  return { item: res.json as VaultItem, value };
}

export async function reveal(token: string, orgId: string, itemId: string, version?: number) {
  return call(itemsPath(orgId, itemId, 'reveal'), {
    token,
    method: 'POST',
    ...(version === undefined ? {} : { body: { version } }),
  });
}

export async function rotate(token: string, orgId: string, itemId: string, body: Record<string, unknown>) {
  return call(itemsPath(orgId, itemId, 'rotate'), { token, body });
}

/** A fresh user who joins `owner`'s personal organization with `role`. */
export async function memberOf(owner: TestUser, role: Role) {
  const user = await newUser(`${role} user`);
  await addMember(owner, owner.orgId, user, role);
  return user;
}

/** An API key in `owner`'s personal organization holding `scopes`. */
export async function keyWith(owner: TestUser, ...scopes: string[]) {
  return (await newApiKey(owner, owner.orgId, scopes)).key;
}

/** The activity entries about one vault item, newest first. */
export async function itemActivity(owner: TestUser, orgId: string, itemId: string) {
  const res = await call(`/api/v1/orgs/${orgId}/activity?entity_type=vault_item&entity_id=${itemId}`, {
    token: owner.token,
  });
  expect(res.status, res.text).toBe(200);
  return res.json.data as {
    action: string;
    actor: { type: string; id: string };
    metadata: Record<string, unknown>;
  }[];
}

/** Every row of a table as JSON text, for scanning it for something that must not be there. */
export async function tableText(table: string) {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table}`).all();
  return JSON.stringify(results);
}

export async function countRows(sql: string, ...params: unknown[]) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${sql}`)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
