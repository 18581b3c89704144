import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHANGE_PASSWORD,
  call,
  expectProblem,
  expectUnauthenticated,
  FORGOT,
  freezeClock,
  LOGIN,
  latestMail,
  loginOk,
  ME,
  NEW_PASSWORD,
  newEmail,
  newUser,
  PASSWORD,
  REFRESH,
  RESET,
  registerUser,
  resetTokenFor,
  setClock,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

const me = (token: string) => call(ME, { token });
const change = (token: string, current_password: string, new_password: string) =>
  call(CHANGE_PASSWORD, { token, body: { current_password, new_password } });
const forgot = (email: string) => call(FORGOT, { body: { email } });
const reset = (token: string, password: string) => call(RESET, { body: { token, password } });

describe('POST /auth/password/change', () => {
  it('refuses a wrong current password with 422 on current_password, and changes nothing', async () => {
    const u = await newUser();
    const problem = expectProblem(await change(u.token, 'not-my-password-1', NEW_PASSWORD), 422);
    expect(problem.errors).toEqual([{ path: 'current_password', message: expect.any(String) }]);
    await loginOk(u.email, PASSWORD);
    expectUnauthenticated(await call(LOGIN, { body: { email: u.email, password: NEW_PASSWORD } }));
  });

  it.each([
    ['too short', 'short-1'],
    ['letters only', 'onlyletterspassword'],
    ['too common', 'password123'],
  ])('refuses a weak new password (%s) with 422 on new_password', async (_case, weak) => {
    const u = await newUser();
    const problem = expectProblem(await change(u.token, PASSWORD, weak), 422);
    expect(problem.errors).toEqual([{ path: 'new_password', message: expect.any(String) }]);
    await loginOk(u.email, PASSWORD);
  });

  it('refuses a new password that contains the email name, on new_password', async () => {
    const u = await newUser();
    const local = u.email.split('@')[0]!;
    const problem = expectProblem(await change(u.token, PASSWORD, `${local}-2024!`), 422);
    expect(problem.errors).toEqual([{ path: 'new_password', message: expect.stringMatching(/email name/) }]);
  });

  it('changes the password, ends every other session and keeps the caller’s', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    const res = await change(u.token, PASSWORD, NEW_PASSWORD);
    expect(res.status, res.text).toBe(204);

    expect((await me(u.token)).status).toBe(200);
    expect((await call(REFRESH, { body: { refresh_token: u.refreshToken } })).status).toBe(200);
    expectUnauthenticated(await me(other.access_token));
    expectUnauthenticated(await call(REFRESH, { body: { refresh_token: other.refresh_token } }));

    expectUnauthenticated(await call(LOGIN, { body: { email: u.email, password: PASSWORD } }));
    await loginOk(u.email, NEW_PASSWORD);
  });

  it('requires authentication and a complete body', async () => {
    expectUnauthenticated(
      await call(CHANGE_PASSWORD, { body: { current_password: PASSWORD, new_password: NEW_PASSWORD } }),
    );
    const u = await newUser();
    const problem = expectProblem(await call(CHANGE_PASSWORD, { token: u.token, body: {} }), 422);
    const paths = (problem.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['current_password', 'new_password']);
  });

  it('limits guesses at the current password: the sixth attempt in a minute answers 429', async () => {
    const start = freezeClock((Math.floor(Date.now() / 60_000) + 2) * 60_000 + 1_000);
    const u = await newUser();
    for (let i = 0; i < 5; i++)
      expectProblem(await change(u.token, `not-my-password-${i}`, NEW_PASSWORD), 422);
    const limited = await change(u.token, PASSWORD, NEW_PASSWORD);
    expectProblem(limited, 429);
    expect(limited.headers.get('Retry-After')).toBe('59');
    await loginOk(u.email, PASSWORD);
    setClock(start + 60_000);
    expect((await change(u.token, PASSWORD, NEW_PASSWORD)).status).toBe(204);
  });

  it('invalidates reset tokens that were requested before the change', async () => {
    const u = await newUser();
    expect((await forgot(u.email)).status).toBe(202);
    const token = await resetTokenFor(u.email);
    expect((await change(u.token, PASSWORD, NEW_PASSWORD)).status).toBe(204);
    expectProblem(await reset(token, 'a-third-password-3'), 400);
    await loginOk(u.email, NEW_PASSWORD);
  });
});

describe('POST /auth/password/forgot and /auth/password/reset', () => {
  it('answers exactly the same for an existing and an unknown email', async () => {
    const u = await registerUser();
    const known = await forgot(u.email);
    const unknown = await forgot(newEmail('ghost'));
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.text).toBe(known.text);
    expect(known.json).toEqual({ message: expect.any(String) });
    expect(unknown.headers.get('Content-Type')).toBe(known.headers.get('Content-Type'));
  });

  it('mails a single-use token only to an existing account', async () => {
    const u = await registerUser();
    const ghost = newEmail('ghost');
    await forgot(u.email);
    await forgot(ghost);
    const [mail] = await latestMail(u.email);
    expect(mail).toMatchObject({ to: u.email, subject: expect.stringMatching(/reset/i) });
    expect(mail!.text).toMatch(/prt_[A-Za-z0-9_-]{40,}/);
    expect(await latestMail(ghost)).toEqual([]);
  });

  it('finds the account whatever the case of the email, and mails its stored address', async () => {
    const u = await registerUser();
    expect((await forgot(u.email.toUpperCase())).status).toBe(202);
    await resetTokenFor(u.email);
  });

  it('stores only a hash of the reset token', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    const rows = await env.DB.prepare('SELECT token_hash FROM password_resets WHERE user_id = ?')
      .bind(u.id)
      .all<{ token_hash: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]!.token_hash).not.toContain(token.slice(4));
  });

  it('resets the password with the token once; a second use answers 400', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    const res = await reset(token, NEW_PASSWORD);
    expect(res.status, res.text).toBe(204);
    await loginOk(u.email, NEW_PASSWORD);
    expectUnauthenticated(await call(LOGIN, { body: { email: u.email, password: PASSWORD } }));

    const again = expectProblem(await reset(token, 'a-third-password-3'), 400);
    expect(again.detail).toMatch(/invalid, expired or already used/);
    await loginOk(u.email, NEW_PASSWORD);
  });

  it('refuses a token after its 30 minutes are up', async () => {
    const start = freezeClock(Date.now());
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    setClock(start + 30 * 60_000 + 1_000);
    expectProblem(await reset(token, NEW_PASSWORD), 400);
    await loginOk(u.email, PASSWORD);
  });

  it('accepts a token just before its 30 minutes are up', async () => {
    const start = freezeClock(Date.now());
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    setClock(start + 29 * 60_000);
    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
  });

  it('ends every session of the user', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    await forgot(u.email);
    expect((await reset(await resetTokenFor(u.email), NEW_PASSWORD)).status).toBe(204);
    for (const t of [u.token, other.access_token]) expectUnauthenticated(await me(t));
    for (const r of [u.refreshToken, other.refresh_token])
      expectUnauthenticated(await call(REFRESH, { body: { refresh_token: r } }));
  });

  it('refuses a weak password with 422 without burning the token', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    const problem = expectProblem(await reset(token, 'password123'), 422);
    expect(problem.errors).toEqual([{ path: 'password', message: expect.stringMatching(/common/) }]);
    const local = u.email.split('@')[0]!;
    expectProblem(await reset(token, `${local}-2024!`), 422);
    await loginOk(u.email, PASSWORD);

    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
    await loginOk(u.email, NEW_PASSWORD);
  });

  it('does not let a weak-password attempt revive a token that was already used', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
    expectProblem(await reset(token, 'short'), 400);
    expectProblem(await reset(token, 'a-third-password-3'), 400);
  });

  it('lets only one of two concurrent resets with one token succeed', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const token = await resetTokenFor(u.email);
    const results = await Promise.all([reset(token, NEW_PASSWORD), reset(token, 'a-third-password-3')]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it('invalidates every other outstanding reset token once one is used', async () => {
    const u = await registerUser();
    await forgot(u.email);
    const older = await resetTokenFor(u.email);
    await forgot(u.email);
    const newer = await resetTokenFor(u.email);
    expect(newer).not.toBe(older);
    expect((await reset(newer, NEW_PASSWORD)).status).toBe(204);
    expectProblem(await reset(older, 'a-third-password-3'), 400);
    await loginOk(u.email, NEW_PASSWORD);
  });

  it('refuses an unknown token with 400 and a missing one with 422', async () => {
    expectProblem(await reset('prt_unknown', NEW_PASSWORD), 400);
    const problem = expectProblem(await call(RESET, { body: { password: NEW_PASSWORD } }), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'token' })]);
    expectProblem(await call(FORGOT, { body: { email: 'not-an-email' } }), 422);
  });
});
