import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  call,
  expectProblem,
  expectUnauthenticated,
  FORGOT,
  freezeClock,
  LOGIN,
  loginOk,
  ME,
  newEmail,
  newIp,
  PASSWORD,
  registerUser,
  setClock,
  startOfFreshMinute,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /auth/login', () => {
  it('answers a bearer token pair for the right email and password', async () => {
    const user = await registerUser();
    const tokens = await loginOk(user.email);
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^frt_/),
      session_id: expect.stringMatching(/^ses_/),
    });
    const me = await call(ME, { token: tokens.access_token });
    expect(me.status, me.text).toBe(200);
    expect(me.json.user.id).toBe(user.id);
    expect(me.json.session_id).toBe(tokens.session_id);
  });

  it('opens a new session on every login', async () => {
    const user = await registerUser();
    const a = await loginOk(user.email);
    const b = await loginOk(user.email);
    expect(a.session_id).not.toBe(b.session_id);
    expect(a.refresh_token).not.toBe(b.refresh_token);
  });

  it('refuses a wrong password with 401', async () => {
    const user = await registerUser();
    const problem = expectUnauthenticated(
      await call(LOGIN, { body: { email: user.email, password: 'wrong-password-1' } }),
    );
    expect(problem.detail).toBe('Email or password is incorrect');
  });

  it('answers an unknown email exactly as a wrong password, so accounts cannot be discovered', async () => {
    const user = await registerUser();
    const wrong = await call(LOGIN, { body: { email: user.email, password: 'wrong-password-1' } });
    const unknown = await call(LOGIN, { body: { email: newEmail('nobody'), password: 'wrong-password-1' } });
    const a = expectUnauthenticated(wrong);
    const b = expectUnauthenticated(unknown);
    const strip = ({ request_id: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(b)).toEqual(strip(a));
    expect(unknown.headers.get('WWW-Authenticate')).toBe(wrong.headers.get('WWW-Authenticate'));
  });

  it('refuses a missing password or an invalid email with 422 before checking anything', async () => {
    const problem = expectProblem(await call(LOGIN, { body: { email: 'nope' } }), 422);
    const paths = (problem.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['email', 'password']);
  });

  it('refuses malformed JSON with 400 and a form body with 415', async () => {
    expectProblem(await call(LOGIN, { body: '{"email":' }), 400);
    expectProblem(
      await call(LOGIN, {
        body: 'email=a',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
  });
});

describe('login rate limits', () => {
  it('answers the sixth attempt from one IP within a minute with 429 and Retry-After', async () => {
    const start = freezeClock(startOfFreshMinute());
    const ip = newIp();
    // Different accounts, so only the per-IP limit can be the one that trips.
    for (let i = 0; i < 5; i++) {
      expectUnauthenticated(
        await call(LOGIN, { ip, body: { email: newEmail(), password: 'wrong-password-1' } }),
      );
    }
    setClock(start + 30_000);
    const limited = await call(LOGIN, { ip, body: { email: newEmail(), password: 'wrong-password-1' } });
    const problem = expectProblem(limited, 429);
    expect(problem.type).toMatch(/rate-limited$/);
    // The window began a second before `start`: 29 seconds of it remain.
    expect(limited.headers.get('Retry-After')).toBe('29');
  });

  it('refuses even the right password once the IP is over its limit', async () => {
    const start = freezeClock(startOfFreshMinute());
    const user = await registerUser();
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expectUnauthenticated(await call(LOGIN, { ip, body: { email: newEmail(), password: PASSWORD } }));
    expectProblem(await call(LOGIN, { ip, body: { email: user.email, password: PASSWORD } }), 429);

    // Once the window has passed, the same address signs in again.
    setClock(start + 60_000);
    const res = await call(LOGIN, { ip, body: { email: user.email, password: PASSWORD } });
    expect(res.status, res.text).toBe(200);
  });

  it('limits attempts per account across different IPs', async () => {
    const start = freezeClock(startOfFreshMinute());
    const user = await registerUser();
    for (let i = 0; i < 5; i++)
      expectUnauthenticated(
        await call(LOGIN, { ip: newIp(), body: { email: user.email, password: 'wrong-password-1' } }),
      );
    // A fresh address with the right password is still refused: the account is being guessed at.
    const limited = await call(LOGIN, { ip: newIp(), body: { email: user.email, password: PASSWORD } });
    expectProblem(limited, 429);
    expect(limited.headers.get('Retry-After')).toBe('59');
    // The account limit keys on the normalised email: another casing does not get around it.
    expectProblem(
      await call(LOGIN, { ip: newIp(), body: { email: user.email.toUpperCase(), password: PASSWORD } }),
      429,
    );

    // Other accounts are unaffected.
    const other = await registerUser();
    await loginOk(other.email);

    setClock(start + 61_000);
    await loginOk(user.email);
  });

  it('limits password reset requests per IP and per account', async () => {
    const start = freezeClock(startOfFreshMinute());
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expect((await call(FORGOT, { ip, body: { email: newEmail() } })).status).toBe(202);
    const limited = await call(FORGOT, { ip, body: { email: newEmail() } });
    expectProblem(limited, 429);
    expect(limited.headers.get('Retry-After')).toBe('59');

    const user = await registerUser();
    for (let i = 0; i < 5; i++)
      expect((await call(FORGOT, { ip: newIp(), body: { email: user.email } })).status).toBe(202);
    expectProblem(await call(FORGOT, { ip: newIp(), body: { email: user.email } }), 429);

    setClock(start + 60_000);
    expect((await call(FORGOT, { ip, body: { email: user.email } })).status).toBe(202);
  });

  it('limits unknown and existing accounts alike, so the limit reveals nothing', async () => {
    freezeClock(startOfFreshMinute());
    const user = await registerUser();
    const unknown = newEmail('ghost');
    const results: number[][] = [[], []];
    for (let i = 0; i < 6; i++) {
      results[0]!.push((await call(FORGOT, { ip: newIp(), body: { email: user.email } })).status);
      results[1]!.push((await call(FORGOT, { ip: newIp(), body: { email: unknown } })).status);
    }
    expect(results[0]).toEqual([202, 202, 202, 202, 202, 429]);
    expect(results[1]).toEqual(results[0]);
  });
});
