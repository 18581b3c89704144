import { env } from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { call, expectProblem, unique } from './http';
import { PASSWORD } from './users';

export const REGISTER = '/api/v1/auth/register';
export const LOGIN = '/api/v1/auth/login';
export const REFRESH = '/api/v1/auth/refresh';
export const LOGOUT = '/api/v1/auth/logout';
export const ME = '/api/v1/auth/me';
export const CHANGE_PASSWORD = '/api/v1/auth/password/change';
export const FORGOT = '/api/v1/auth/password/forgot';
export const RESET = '/api/v1/auth/password/reset';
export const TOTP_ENROL = '/api/v1/auth/totp/enrol';
export const TOTP_CONFIRM = '/api/v1/auth/totp/confirm';
export const TOTP_DISABLE = '/api/v1/auth/totp/disable';

export const NEW_PASSWORD = 'battery-staple-77';

export const newEmail = (label = 'u') => `${unique(label)}@example.com`;

/** A distinct client address per call site, for tests that count attempts per IP. */
export const newIp = () => unique('ip-');

/** Registers an account without signing in; returns the user record. */
export async function registerUser(email = newEmail(), password = PASSWORD, name = 'Test User') {
  const res = await call(REGISTER, { body: { email, password, name } });
  expect(res.status, res.text).toBe(201);
  return { ...(res.json as { id: string; personal_org_id: string; email: string }), password };
}

/** Signs in and expects success; returns the token pair. */
export async function loginOk(email: string, password = PASSWORD, extra: Record<string, string> = {}) {
  const res = await call(LOGIN, { body: { email, password, ...extra } });
  expect(res.status, res.text).toBe(200);
  return res.json as {
    access_token: string;
    refresh_token: string;
    session_id: string;
    token_type: string;
    expires_in: number;
  };
}

/** A 401 problem that also tells the client how to authenticate (RFC 9110 §11.6.1). */
export function expectUnauthenticated(res: Awaited<ReturnType<typeof call>>) {
  const problem = expectProblem(res, 401);
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer /);
  return problem;
}

/**
 * Freezes `Date` (only `Date`: promises and I/O keep running) at `at`. The Worker runs in the
 * test's isolate, so the API sees this clock; the rate limiter takes its time from the Worker.
 */
export function freezeClock(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  return at;
}

export const setClock = (at: number) => vi.setSystemTime(at);

/**
 * A time one second into a fresh rate-limit minute, a little in the future so no earlier test
 * has counted attempts in that window; fixed windows then never split a test's attempts.
 */
export const startOfFreshMinute = (minutesAhead = 2) =>
  (Math.floor(Date.now() / 60_000) + minutesAhead) * 60_000 + 1_000;

/** The newest message mailed to `to` through the development outbox. */
export async function latestMail(to: string) {
  const res = await call(`/dev/outbox?to=${encodeURIComponent(to)}`);
  expect(res.status, res.text).toBe(200);
  return res.json.data as { to: string; subject: string; text: string }[];
}

/** The reset token from the newest reset mail to `to`. */
export async function resetTokenFor(to: string) {
  const [mail] = await latestMail(to);
  expect(mail, `no mail to ${to}`).toBeDefined();
  const token = mail?.text.match(/prt_[A-Za-z0-9_-]+/)?.[0];
  expect(token).toBeDefined();
  return token as string;
}

export async function sha256Hex(value: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An active API key of `orgId`, written straight to D1 the way src/domain/api-keys stores it
 * (only the SHA-256 of the secret), so these tests do not depend on the key routes.
 */
export async function insertApiKey(orgId: string, createdBy: string, scopes = ['*']) {
  const raw = `fmk_${crypto.randomUUID().replaceAll('-', '')}`;
  const id = `key_${crypto.randomUUID().replaceAll('-', '')}`;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      'INSERT INTO api_keys (id, org_id, name, start, scopes, active, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)',
    ).bind(id, orgId, unique('key'), raw.slice(0, 8), JSON.stringify(scopes), createdBy, now, now),
    env.DB.prepare('INSERT INTO api_key_secrets (hash, key_id, created_at) VALUES (?, ?, ?)').bind(
      await sha256Hex(raw),
      id,
      now,
    ),
  ]);
  return { raw, id };
}

/** The actions in an organization's activity log, newest first. */
export async function activityActions(token: string, orgId: string, query = '') {
  const res = await call(`/api/v1/orgs/${orgId}/activity?limit=100${query}`, { token });
  expect(res.status, res.text).toBe(200);
  return res.json.data as {
    action: string;
    actor: { type: string; id: string };
    entity: { type: string; id: string };
    metadata: Record<string, unknown>;
    ip: string | null;
  }[];
}
