import { expect } from 'vitest';
import { call } from './http';
import { newApiKey, newUser, type TestUser } from './users';

/** `/api/v1/orgs/{orgId}/api-keys[/{keyId}[/{action}]]` */
export const keysPath = (orgId: string, keyId?: string, action?: string) =>
  `/api/v1/orgs/${orgId}/api-keys${keyId ? `/${keyId}` : ''}${action ? `/${action}` : ''}`;

/** A fresh owner of a personal organization, with one key there holding `scopes`. */
export async function ownerWithKey(scopes: string[]) {
  const owner = await newUser('Key Owner');
  const { key, record } = await newApiKey(owner, owner.orgId, scopes);
  return { owner, orgId: owner.orgId, key, record };
}

/** The activity actions recorded for one key, newest first. */
export async function activityFor(owner: TestUser, orgId: string, keyId: string) {
  const res = await call(`/api/v1/orgs/${orgId}/activity?entity_type=api_key&entity_id=${keyId}`, {
    token: owner.token,
  });
  expect(res.status, res.text).toBe(200);
  return (res.json.data as { action: string }[]).map((e) => e.action);
}

/** Answers whether `key` is accepted right now, as 200 or 401 from `/auth/me`. */
export async function keyStatus(key: string) {
  return (await call('/api/v1/auth/me', { token: key })).status;
}
