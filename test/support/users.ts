import { expect } from 'vitest';
import { call, unique } from './http';

export const PASSWORD = 'correct-horse-42';

export interface TestUser {
  id: string;
  email: string;
  orgId: string;
  token: string;
  refreshToken: string;
  sessionId: string;
}

/** Registers and signs in a fresh user; their personal organization is `orgId`. */
export async function newUser(name = 'Test User'): Promise<TestUser> {
  const email = `${unique('u')}@example.com`;
  const reg = await call('/api/v1/auth/register', { body: { email, password: PASSWORD, name } });
  expect(reg.status, reg.text).toBe(201);
  const login = await call('/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status, login.text).toBe(200);
  return {
    id: reg.json.id,
    email,
    orgId: reg.json.personal_org_id,
    token: login.json.access_token,
    refreshToken: login.json.refresh_token,
    sessionId: login.json.session_id,
  };
}

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

/** Adds an existing user to an organization with a role (the caller must be an admin there). */
export async function addMember(admin: TestUser, orgId: string, member: TestUser, role: Role) {
  const res = await call(`/api/v1/orgs/${orgId}/members`, {
    token: admin.token,
    body: { email: member.email, role },
  });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

/** Creates an API key in the organization and returns its raw secret (shown once) and record. */
export async function newApiKey(admin: TestUser, orgId: string, scopes: string[], name = unique('key')) {
  const res = await call(`/api/v1/orgs/${orgId}/api-keys`, { token: admin.token, body: { name, scopes } });
  expect(res.status, res.text).toBe(201);
  return { key: res.json.key as string, record: res.json.api_key };
}
