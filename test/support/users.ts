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

/**
 * Makes a user a member of an organization with a role, the way people join: `admin` (an admin
 * there; an owner for the owner role) invites them by email and they accept. Owners are invited
 * as admins and then promoted, as invites never carry the owner role.
 */
export async function addMember(admin: TestUser, orgId: string, member: TestUser, role: Role) {
  const invited = await call(`/api/v1/orgs/${orgId}/members`, {
    token: admin.token,
    body: { email: member.email, role: role === 'owner' ? 'admin' : role },
  });
  expect(invited.status, invited.text).toBe(202);
  const accepted = await call('/api/v1/invites/accept', {
    token: member.token,
    body: { token: invited.json.token },
  });
  expect(accepted.status, accepted.text).toBe(200);
  if (role === 'owner') {
    const promoted = await call(`/api/v1/orgs/${orgId}/members/${member.id}`, {
      method: 'PATCH',
      token: admin.token,
      body: { role },
    });
    expect(promoted.status, promoted.text).toBe(200);
  }
  return accepted.json;
}

/** Creates an API key in the organization and returns its raw secret (shown once) and record. */
export async function newApiKey(admin: TestUser, orgId: string, scopes: string[], name = unique('key')) {
  const res = await call(`/api/v1/orgs/${orgId}/api-keys`, { token: admin.token, body: { name, scopes } });
  expect(res.status, res.text).toBe(201);
  return { key: res.json.key as string, record: res.json.api_key };
}
