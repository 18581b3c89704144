import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHANGE_PASSWORD,
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
  newUser,
  PASSWORD,
  REGISTER,
  registerUser,
  setClock,
  startOfFreshMinute,
  TOTP_CONFIRM,
  TOTP_DISABLE,
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
    expect(limited.headers.get('RateLimit')).toContain('"login-ip";r=0;t=29');
    expect(limited.headers.get('RateLimit-Policy')).toContain('"login-ip";q=5;w=60');
  });

  it('does not count successful sign-ins: six in a minute from one address all succeed', async () => {
    freezeClock(startOfFreshMinute());
    const user = await registerUser();
    const ip = newIp();
    for (let i = 0; i < 6; i++) {
      const res = await call(LOGIN, { ip, body: { email: user.email, password: PASSWORD } });
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('RateLimit')).toBe('"login-ip";r=5;t=59, "login-account";r=5;t=59');
    }
  });

  it('names the limit that was reached: the address, or the account', async () => {
    freezeClock(startOfFreshMinute());
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expectUnauthenticated(
        await call(LOGIN, { ip, body: { email: newEmail(), password: 'wrong-password-1' } }),
      );
    const byAddress = expectProblem(
      await call(LOGIN, { ip, body: { email: newEmail(), password: 'wrong-password-1' } }),
      429,
    );
    expect(byAddress.detail).toMatch(
      /failed sign-in attempts for this address \(limit login-ip\); try again in 59s/,
    );

    const user = await registerUser();
    for (let i = 0; i < 5; i++)
      expectUnauthenticated(
        await call(LOGIN, { ip: newIp(), body: { email: user.email, password: 'wrong-password-1' } }),
      );
    const byAccount = expectProblem(
      await call(LOGIN, { ip: newIp(), body: { email: user.email, password: 'wrong-password-1' } }),
      429,
    );
    expect(byAccount.detail).toMatch(/failed sign-in attempts for this account \(limit login-account\)/);
  });

  it('does not count an attempt refused by one limit against the other', async () => {
    freezeClock(startOfFreshMinute());
    const user = await registerUser();
    const ip = newIp();
    for (let i = 0; i < 5; i++)
      expectUnauthenticated(
        await call(LOGIN, { ip, body: { email: newEmail(), password: 'wrong-password-1' } }),
      );
    // Refused by the address limit, these never reach the account's counter.
    for (let i = 0; i < 5; i++)
      expectProblem(
        await call(LOGIN, { ip, body: { email: user.email, password: 'wrong-password-1' } }),
        429,
      );
    const res = await call(LOGIN, { ip: newIp(), body: { email: user.email, password: PASSWORD } });
    expect(res.status, res.text).toBe(200);
  });

  it('reports the quota policies and where they stand on every response (IETF RateLimit fields)', async () => {
    const start = freezeClock(startOfFreshMinute());
    const ip = newIp();
    const email = newEmail();
    const policy = '"login-ip";q=5;w=60, "login-account";q=5;w=60';
    const first = await call(LOGIN, { ip, body: { email, password: 'wrong-password-1' } });
    expect(first.headers.get('RateLimit-Policy')).toBe(policy);
    expect(first.headers.get('RateLimit')).toBe('"login-ip";r=4;t=59, "login-account";r=4;t=59');
    // An invalid body is refused before anything is counted: the policies, no quota.
    const invalid = await call(LOGIN, { ip, body: { email: 'nope' } });
    expect(invalid.headers.get('RateLimit-Policy')).toBe(policy);
    expect(invalid.headers.get('RateLimit')).toBeNull();
    setClock(start + 20_000);
    for (let i = 0; i < 4; i++) await call(LOGIN, { ip, body: { email, password: 'wrong-password-1' } });
    const limited = await call(LOGIN, { ip, body: { email, password: 'wrong-password-1' } });
    expectProblem(limited, 429);
    expect(limited.headers.get('Retry-After')).toBe('39');
    expect(limited.headers.get('RateLimit')).toBe('"login-ip";r=0;t=39, "login-account";r=0;t=39');
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

  it('reports its quota policies on every rate-limited route', async () => {
    freezeClock(startOfFreshMinute());
    const user = await newUser();
    const routes: [string, unknown, string, string?][] = [
      [REGISTER, { email: newEmail(), password: PASSWORD, name: 'N' }, '"register-ip";q=5;w=60'],
      [FORGOT, { email: newEmail() }, '"forgot-password-ip";q=5;w=60, "forgot-password-account";q=5;w=60'],
      [
        CHANGE_PASSWORD,
        { current_password: 'wrong-password-1', new_password: 'battery-staple-77' },
        '"password-change-user";q=5;w=60',
        user.token,
      ],
      [TOTP_CONFIRM, { code: '123456' }, '"totp-user";q=5;w=60', user.token],
      [TOTP_DISABLE, { code: '123456' }, '"totp-user";q=5;w=60', user.token],
    ];
    for (const [path, body, policy, token] of routes) {
      const res = await call(path, { body, token });
      expect(res.headers.get('RateLimit-Policy'), path).toBe(policy);
    }
    // A counted attempt also says where it stands.
    const counted = await call(CHANGE_PASSWORD, {
      token: user.token,
      body: { current_password: 'wrong-password-1', new_password: 'battery-staple-77' },
    });
    expect(counted.headers.get('RateLimit')).toBe('"password-change-user";r=3;t=59');
  });
});
