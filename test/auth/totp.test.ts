import { env } from 'cloudflare:test';
import { Secret, TOTP } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  activityActions,
  call,
  expectProblem,
  expectUnauthenticated,
  FORGOT,
  freezeClock,
  LOGIN,
  loginOk,
  ME,
  NEW_PASSWORD,
  newUser,
  PASSWORD,
  RESET,
  resetTokenFor,
  setClock,
  type TestUser,
  TOTP_CONFIRM,
  TOTP_DISABLE,
  TOTP_ENROL,
} from '../support';

const STEP = 30_000;

/** Codes as an authenticator app would show them for `secret` at time `at`. */
const codeAt = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: at,
  });

/** A code for `secret` that differs from `code` (a wrong code that is still well-formed). */
const wrongCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

let now: number;

/** Moves the frozen clock forward; a whole minute or more also opens a fresh login rate-limit window. */
const advance = (ms: number) => {
  now += ms;
  setClock(now);
  return now;
};

beforeEach(() => {
  // One second into a 30-second step (and a minute), so "this step" and "the next" are unambiguous.
  now = freezeClock((Math.floor(Date.now() / 60_000) + 2) * 60_000 + 1_000);
});

afterEach(() => {
  vi.useRealTimers();
});

const enrol = (u: TestUser) => call(TOTP_ENROL, { method: 'POST', token: u.token });
const confirm = (u: TestUser, code: string) => call(TOTP_CONFIRM, { token: u.token, body: { code } });
const disable = (u: TestUser, code: string) => call(TOTP_DISABLE, { token: u.token, body: { code } });
const login = (u: TestUser, extra: Record<string, string> = {}) =>
  call(LOGIN, { body: { email: u.email, password: PASSWORD, ...extra } });

/** A user with two-factor enabled; the confirming code was used in the current step. */
async function enabledUser() {
  const u = await newUser('Two Factor');
  const res = await enrol(u);
  expect(res.status, res.text).toBe(200);
  const { secret, backup_codes } = res.json as { secret: string; backup_codes: string[] };
  const c = await confirm(u, codeAt(secret, now));
  expect(c.status, c.text).toBe(204);
  return { u, secret, backupCodes: backup_codes };
}

describe('TOTP enrolment', () => {
  it('returns a base32 secret, its otpauth URI and ten distinct backup codes', async () => {
    const u = await newUser();
    const res = await enrol(u);
    expect(res.status, res.text).toBe(200);
    const { secret, otpauth_uri, backup_codes } = res.json;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(otpauth_uri)).toContain(u.email);
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Foreman');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(backup_codes).toHaveLength(10);
    expect(new Set(backup_codes).size).toBe(10);
    for (const code of backup_codes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(false);
  });

  it('keeps the secret encrypted in D1, never in plain text, and backup codes only as hashes', async () => {
    const u = await newUser();
    const { secret, backup_codes } = (await enrol(u)).json;
    const row = await env.DB.prepare('SELECT totp_secret FROM users WHERE id = ?')
      .bind(u.id)
      .first<{ totp_secret: string }>();
    expect(row?.totp_secret).toBeTruthy();
    expect(row!.totp_secret).not.toContain(secret);
    expect(row!.totp_secret.toUpperCase()).not.toContain(secret);
    expect(row!.totp_secret).toMatch(/^v\d+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    const codes = await env.DB.prepare('SELECT code_hash FROM totp_backup_codes WHERE user_id = ?')
      .bind(u.id)
      .all<{ code_hash: string }>();
    expect(codes.results).toHaveLength(10);
    const stored = JSON.stringify(codes.results);
    for (const code of backup_codes as string[]) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
  });

  it('does not change login until the enrolment is confirmed', async () => {
    const u = await newUser();
    expect((await enrol(u)).status).toBe(200);
    const res = await login(u);
    expect(res.status, res.text).toBe(200);
  });

  it('refuses a wrong or malformed confirmation code with 422 and stays disabled', async () => {
    const u = await newUser();
    const { secret } = (await enrol(u)).json;
    const problem = expectProblem(await confirm(u, wrongCode(codeAt(secret, now))), 422);
    expect(problem.errors).toEqual([{ path: 'code', message: expect.any(String) }]);
    for (const bad of ['12345', '1234567', 'abcdef', '']) {
      expect(expectProblem(await confirm(u, bad), 422).errors).toEqual([
        expect.objectContaining({ path: 'code' }),
      ]);
    }
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(false);
    expect((await login(u)).status).toBe(200);
  });

  it('confirms with a right code (204) and reports two-factor as enabled', async () => {
    const u = await newUser();
    const { secret } = (await enrol(u)).json;
    const res = await confirm(u, codeAt(secret, now));
    expect(res.status, res.text).toBe(204);
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(true);
  });

  it('refuses to confirm before enrolling, or twice, with 409', async () => {
    const u = await newUser();
    expectProblem(await confirm(u, '123456'), 409);
    const { secret } = (await enrol(u)).json;
    expect((await confirm(u, codeAt(secret, now))).status).toBe(204);
    advance(STEP);
    expectProblem(await confirm(u, codeAt(secret, now)), 409);
  });

  it('replaces the secret and the backup codes when enrolment restarts before confirmation', async () => {
    const u = await newUser();
    const first = (await enrol(u)).json;
    const second = (await enrol(u)).json;
    expect(second.secret).not.toBe(first.secret);
    expectProblem(await confirm(u, codeAt(first.secret, now)), 422);
    expect((await confirm(u, codeAt(second.secret, now))).status).toBe(204);
    advance(60_000);
    expectUnauthenticated(await login(u, { backup_code: first.backup_codes[0] }));
    expect((await login(u, { backup_code: second.backup_codes[0] })).status).toBe(200);
  });

  it('refuses to enrol again while two-factor is enabled, with 409', async () => {
    const { u } = await enabledUser();
    const problem = expectProblem(await enrol(u), 409);
    expect(problem.detail).toMatch(/already enabled/);
  });

  it('requires authentication', async () => {
    expectUnauthenticated(await call(TOTP_ENROL, { method: 'POST' }));
    expectUnauthenticated(await call(TOTP_CONFIRM, { body: { code: '123456' } }));
    expectUnauthenticated(await call(TOTP_DISABLE, { body: { code: '123456' } }));
  });
});

describe('login with two-factor enabled', () => {
  it('answers 401 totp-required when no code is sent, and never opens a session', async () => {
    const { u } = await enabledUser();
    const res = await login(u);
    const problem = expectUnauthenticated(res);
    expect(problem.type).toMatch(/totp-required$/);
    expect(problem.title).toBe('Two-factor code required');
    expect(res.json.access_token).toBeUndefined();
  });

  it('still answers a wrong password with the plain 401, before asking for a code', async () => {
    const { u, secret } = await enabledUser();
    advance(STEP);
    const problem = expectUnauthenticated(
      await call(LOGIN, {
        body: { email: u.email, password: 'wrong-password-1', totp_code: codeAt(secret, now) },
      }),
    );
    expect(problem.type).toMatch(/unauthenticated$/);
    // The code was not spent by the failed attempt.
    expect((await login(u, { totp_code: codeAt(secret, now) })).status).toBe(200);
  });

  it('signs in with a valid code', async () => {
    const { u, secret } = await enabledUser();
    advance(STEP);
    const res = await login(u, { totp_code: codeAt(secret, now) });
    expect(res.status, res.text).toBe(200);
    expect((await call(ME, { token: res.json.access_token })).status).toBe(200);
  });

  it('refuses a wrong code with 401', async () => {
    const { u, secret } = await enabledUser();
    advance(STEP);
    const problem = expectUnauthenticated(await login(u, { totp_code: wrongCode(codeAt(secret, now)) }));
    expect(problem.type).toMatch(/unauthenticated$/);
  });

  it('refuses a replay of a code that already signed in', async () => {
    const { u, secret } = await enabledUser();
    advance(STEP);
    const code = codeAt(secret, now);
    expect((await login(u, { totp_code: code })).status).toBe(200);
    expectUnauthenticated(await login(u, { totp_code: code }));
    // Still refused later in its window of validity.
    advance(STEP);
    expectUnauthenticated(await login(u, { totp_code: code }));
    expect((await login(u, { totp_code: codeAt(secret, now) })).status).toBe(200);
  });

  it('refuses the code that confirmed the enrolment', async () => {
    const { u, secret } = await enabledUser();
    expectUnauthenticated(await login(u, { totp_code: codeAt(secret, now) }));
  });

  it('allows one step of clock drift either way, and no more', async () => {
    const { u, secret } = await enabledUser();
    advance(2 * 60_000);
    expect((await login(u, { totp_code: codeAt(secret, now - STEP) })).status).toBe(200);
    expect((await login(u, { totp_code: codeAt(secret, now + STEP) })).status).toBe(200);
    advance(2 * 60_000);
    expectUnauthenticated(await login(u, { totp_code: codeAt(secret, now - 2 * STEP) }));
    expectUnauthenticated(await login(u, { totp_code: codeAt(secret, now + 2 * STEP) }));
  });

  it('refuses an older code once a newer one was used', async () => {
    const { u, secret } = await enabledUser();
    advance(60_000);
    expect((await login(u, { totp_code: codeAt(secret, now + STEP) })).status).toBe(200);
    expectUnauthenticated(await login(u, { totp_code: codeAt(secret, now) }));
  });

  it('accepts a backup code once and only once', async () => {
    const { u, backupCodes } = await enabledUser();
    const [code, other] = backupCodes as [string, string];
    const res = await login(u, { backup_code: code });
    expect(res.status, res.text).toBe(200);
    const problem = expectUnauthenticated(await login(u, { backup_code: code }));
    expect(problem.detail).toMatch(/already used/);
    // The other codes still work, written in capitals and without the dash too.
    expect((await login(u, { backup_code: other.toUpperCase().replace('-', '') })).status).toBe(200);
    advance(60_000);
    expectUnauthenticated(await login(u, { backup_code: other }));
  });

  it('refuses a backup code of another user', async () => {
    const { u } = await enabledUser();
    const { backupCodes } = await enabledUser();
    expectUnauthenticated(await login(u, { backup_code: backupCodes[0]! }));
  });

  it('still asks for the second factor after a password reset: the mailbox alone is not enough', async () => {
    const { u, secret } = await enabledUser();
    expect((await call(FORGOT, { body: { email: u.email } })).status).toBe(202);
    const token = await resetTokenFor(u.email);
    expect((await call(RESET, { body: { token, password: NEW_PASSWORD } })).status).toBe(204);
    const problem = expectUnauthenticated(
      await call(LOGIN, { body: { email: u.email, password: NEW_PASSWORD } }),
    );
    expect(problem.type).toMatch(/totp-required$/);
    advance(STEP);
    await loginOk(u.email, NEW_PASSWORD, { totp_code: codeAt(secret, now) });
  });

  it('refuses malformed codes with 422', async () => {
    const { u } = await enabledUser();
    expectProblem(await login(u, { totp_code: '12345' }), 422);
    expectProblem(await login(u, { totp_code: 'abcdef' }), 422);
    expectProblem(await login(u, { backup_code: 'x' }), 422);
  });
});

describe('TOTP disable', () => {
  it('needs a valid code: a wrong one is refused with 422 and two-factor stays on', async () => {
    const { u, secret } = await enabledUser();
    advance(STEP);
    const problem = expectProblem(await disable(u, wrongCode(codeAt(secret, now))), 422);
    expect(problem.errors).toEqual([{ path: 'code', message: expect.any(String) }]);
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(true);
    expectUnauthenticated(await login(u));
  });

  it('refuses a code that was already used', async () => {
    const { u, secret } = await enabledUser();
    expectProblem(await disable(u, codeAt(secret, now)), 422);
  });

  it('turns two-factor off with a valid code: login needs no code and old backup codes are gone', async () => {
    const { u, secret, backupCodes } = await enabledUser();
    advance(STEP);
    const res = await disable(u, codeAt(secret, now));
    expect(res.status, res.text).toBe(204);
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(false);
    expect((await login(u)).status).toBe(200);
    const row = await env.DB.prepare(
      'SELECT totp_secret, (SELECT COUNT(*) FROM totp_backup_codes WHERE user_id = users.id) AS codes FROM users WHERE id = ?',
    )
      .bind(u.id)
      .first<{ totp_secret: string | null; codes: number }>();
    expect(row).toEqual({ totp_secret: null, codes: 0 });

    // Enrolling again starts from scratch.
    const again = (await enrol(u)).json;
    expect(again.secret).not.toBe(secret);
    expect(again.backup_codes).not.toContain(backupCodes[0]);
  });

  it('limits code guesses: the sixth attempt in a minute answers 429, even with the right code', async () => {
    const { u, secret } = await enabledUser();
    advance(60_000);
    const right = codeAt(secret, now);
    for (let i = 0; i < 5; i++) expectProblem(await disable(u, wrongCode(right)), 422);
    const limited = await disable(u, right);
    expectProblem(limited, 429);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await call(ME, { token: u.token })).json.user.totp_enabled).toBe(true);
    // The next minute the right code works: the refused attempt did not spend it.
    advance(60_000);
    expect((await disable(u, codeAt(secret, now))).status).toBe(204);
  });

  it('limits confirmation guesses the same way', async () => {
    const u = await newUser();
    const { secret } = (await enrol(u)).json;
    for (let i = 0; i < 5; i++) expectProblem(await confirm(u, wrongCode(codeAt(secret, now))), 422);
    expectProblem(await confirm(u, codeAt(secret, now)), 429);
  });

  it('answers 409 when two-factor is not enabled', async () => {
    const u = await newUser();
    expectProblem(await disable(u, '123456'), 409);
  });

  it('records enrolment, enabling, backup code use and disabling in the activity log', async () => {
    const { u, secret, backupCodes } = await enabledUser();
    await loginOk(u.email, PASSWORD, { backup_code: backupCodes[0]! });
    advance(STEP);
    expect((await disable(u, codeAt(secret, now))).status).toBe(204);
    const actions = (await activityActions(u.token, u.orgId)).map((a) => a.action);
    for (const action of [
      'user.totp_enrolled',
      'user.totp_enabled',
      'user.backup_code_used',
      'user.totp_disabled',
    ])
      expect(actions).toContain(action);
  });
});
