import { SELF } from 'cloudflare:test';
import { expect, onTestFinished, vi } from 'vitest';

let seq = 0;
/** A distinct value per call, so tests never collide on unique columns. */
export const unique = (label = 'x') =>
  `${label}${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Each test comes from its own address, so per-IP rate limits never couple tests. */
const testIp = () => `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq++ & 255}`;

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

export async function call(path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { 'CF-Connecting-IP': opts.ip ?? testIp(), ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await SELF.fetch(`https://foreman.test${path}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

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

/** Expects an RFC 9457 problem with this status, and returns it. */
/**
 * For a test that provokes a failure on purpose: the code's console.error lines (one JSON object
 * each, for operators) are kept out of the test output and handed to the test to assert on.
 */
export function captureErrorLog(): () => Record<string, unknown>[] {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)));
}

export function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('Content-Type')).toContain('application/problem+json');
  expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(res.json.request_id).toBe(res.headers.get('X-Request-Id'));
  return res.json;
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
