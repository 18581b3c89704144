import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { RateLimits } from '../../src/domain/auth/rate-limits';
import { register } from '../../src/domain/auth/users';
import {
  call,
  expectProblem,
  expectUnauthenticated,
  freezeClock,
  LOGIN,
  loginOk,
  ME,
  newEmail,
  newIp,
  PASSWORD,
  REGISTER,
  registerUser,
  setClock,
  startOfFreshMinute,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /auth/register', () => {
  it('creates the user and a personal organization they own, and never returns the password hash', async () => {
    const email = newEmail();
    const res = await call(REGISTER, { body: { email, password: PASSWORD, name: 'Grace Hopper' } });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^usr_/),
      email,
      name: 'Grace Hopper',
      personal_org_id: expect.stringMatching(/^org_/),
      totp_enabled: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
    expect(res.text).not.toContain('pbkdf2');
    expect(res.text).not.toContain('argon2');

    const tokens = await loginOk(email);
    const me = await call(ME, { token: tokens.access_token });
    expect(me.json.organizations).toEqual([
      {
        id: res.json.personal_org_id,
        name: "Grace Hopper's workspace",
        slug: expect.any(String),
        personal: true,
        role: 'owner',
      },
    ]);
  });

  it('stores the email in lower case and signs in with any casing of it', async () => {
    const email = newEmail('MiXeD');
    const res = await call(REGISTER, { body: { email, password: PASSWORD, name: 'Case' } });
    expect(res.status, res.text).toBe(201);
    expect(res.json.email).toBe(email.toLowerCase());
    await loginOk(email.toUpperCase());
  });

  it('stores a salted slow hash of the password, never the password', async () => {
    const hashOf = async (id: string) =>
      (await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?')
        .bind(id)
        .first<{ password_hash: string }>())!.password_hash;
    const [a, b] = [await registerUser(), await registerUser()];
    expect(await hashOf(a.id)).toMatch(/^\$argon2id\$v=19\$/);
    expect(await hashOf(a.id)).not.toContain(PASSWORD);
    // Salted: the same password never hashes the same twice.
    expect(await hashOf(a.id)).not.toBe(await hashOf(b.id));
  });

  it('refuses an email that is already registered, whatever its case, with 409', async () => {
    const user = await registerUser();
    const problem = expectProblem(
      await call(REGISTER, { body: { email: user.email.toUpperCase(), password: PASSWORD, name: 'Dup' } }),
      409,
    );
    expect(problem.type).toMatch(/conflict$/);
    expect(problem.detail).toMatch(/already exists/);
  });

  it('lets exactly one of two concurrent registrations of one email succeed', async () => {
    const email = newEmail('race');
    const body = { email, password: PASSWORD, name: 'Racer' };
    const results = await Promise.all([call(REGISTER, { body }), call(REGISTER, { body })]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, results.map((r) => r.text).join('\n')).toEqual([201, 409]);
    expectProblem(results.find((r) => r.status === 409)!, 409);
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM users WHERE email = ?')
      .bind(email)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it('answers 409, not 500, when the unique index stops a registration that passed the duplicate check', async () => {
    // The race, made deterministic: the duplicate check sees no account (as a concurrent request
    // would, just before the winner commits), so only the unique index on users.email can decide.
    const existing = await registerUser();
    const db = createDb(env.DB);
    const blind = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'select') return () => ({ from: () => ({ where: () => ({ limit: async () => [] }) }) });
        return Reflect.get(target, prop, receiver);
      },
    });
    await expect(
      register(
        env,
        blind,
        { email: existing.email, password: PASSWORD, name: 'Late' },
        newIp(),
        new RateLimits(env),
      ),
    ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already exists/) });
    const orgs = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM organizations WHERE name = 'Late''s workspace'",
    ).first<{
      n: number;
    }>();
    expect(orgs?.n).toBe(0);
  });

  it('leaves no partial account behind when a concurrent registration loses', async () => {
    const email = newEmail('race5');
    const body = { email, password: PASSWORD, name: 'Racer' };
    const results = await Promise.all(Array.from({ length: 5 }, () => call(REGISTER, { body })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 409);
    const winner = results.find((r) => r.status === 201)!.json;
    const orgs = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM organizations WHERE name = 'Racer''s workspace' AND id IN (SELECT org_id FROM memberships WHERE user_id = ?)",
    )
      .bind(winner.id)
      .first<{ n: number }>();
    expect(orgs?.n).toBe(1);
  });

  it.each([
    ['too short', 'short1!', /at least 10/],
    ['too long', `a1${'x'.repeat(127)}`, /128/],
    ['letters only', 'onlyletterspassword', /mix letters/],
    ['digits only', '12345678901234', /mix letters/],
    ['too common', 'password123', /too common/],
  ])(
    'refuses a weak password (%s) with a 422 error on the password field',
    async (_case, password, message) => {
      const res = await call(REGISTER, { body: { email: newEmail(), password, name: 'Weak' } });
      const problem = expectProblem(res, 422);
      expect(problem.type).toMatch(/validation$/);
      expect(problem.errors).toEqual([{ path: 'password', message: expect.stringMatching(message) }]);
    },
  );

  it('refuses a password that contains the email name', async () => {
    const email = newEmail('johnsmith');
    const local = email.split('@')[0]!;
    const res = await call(REGISTER, { body: { email, password: `${local}-99!`, name: 'John' } });
    const problem = expectProblem(res, 422);
    expect(problem.errors).toEqual([{ path: 'password', message: expect.stringMatching(/email name/) }]);
  });

  it('accepts a good password for an address with a one-letter name', async () => {
    // Every password containing the letter "a" must not count as "containing the email name".
    const email = `a@${newEmail('short').split('@')[0]}.example.com`;
    const res = await call(REGISTER, { body: { email, password: PASSWORD.replace('o', 'a'), name: 'A' } });
    expect(res.status, res.text).toBe(201);
  });

  it.each([
    ['not an address', 'not-an-email'],
    ['no domain', 'someone@'],
    ['spaces', 'some one@example.com'],
    ['too long', `${'a'.repeat(250)}@example.com`],
  ])('refuses an invalid email (%s) with a 422 error on the email field', async (_case, email) => {
    const problem = expectProblem(
      await call(REGISTER, { body: { email, password: PASSWORD, name: 'X' } }),
      422,
    );
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'email' })]));
  });

  it('reports every invalid field at once', async () => {
    const problem = expectProblem(await call(REGISTER, { body: { email: 'nope', password: '' } }), 422);
    const paths = (problem.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['email', 'name', 'password']);
  });

  it('refuses a request without a body with 422 naming every required field', async () => {
    const problem = expectProblem(await call(REGISTER, { method: 'POST' }), 422);
    const paths = (problem.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['email', 'name', 'password']);
  });

  it('refuses an empty body declared as JSON with 400', async () => {
    const problem = expectProblem(
      await call(REGISTER, { body: '', headers: { 'Content-Type': 'application/json' } }),
      400,
    );
    expect(problem.detail).toMatch(/JSON/);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const email = newEmail();
    const problem = expectProblem(
      await call(REGISTER, {
        body: `email=${email}&password=${PASSWORD}&name=X`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    expect(problem.type).toMatch(/unsupported-media-type$/);
    expectUnauthenticated(await call(LOGIN, { body: { email, password: PASSWORD } }));
  });

  it('refuses text/plain carrying JSON with 415', async () => {
    expectProblem(
      await call(REGISTER, {
        body: JSON.stringify({ email: newEmail(), password: PASSWORD, name: 'X' }),
        headers: { 'Content-Type': 'text/plain' },
      }),
      415,
    );
  });

  it('refuses malformed JSON with 400', async () => {
    const problem = expectProblem(await call(REGISTER, { body: '{"email": "a@example.com", ' }), 400);
    expect(problem.detail).toMatch(/JSON/);
  });

  it('limits registrations per IP: the sixth in a minute answers 429 with Retry-After', async () => {
    const start = freezeClock(startOfFreshMinute());
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      const res = await call(REGISTER, { ip, body: { email: newEmail(), password: PASSWORD, name: 'R' } });
      expect(res.status, res.text).toBe(201);
    }
    const email = newEmail();
    const limited = await call(REGISTER, { ip, body: { email, password: PASSWORD, name: 'R' } });
    const problem = expectProblem(limited, 429);
    expect(problem.type).toMatch(/rate-limited$/);
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('Retry-After'))).toBeLessThanOrEqual(60);
    // Nothing was created by the refused request.
    expectUnauthenticated(await call(LOGIN, { body: { email, password: PASSWORD } }));

    // Another address is not affected; the same address is welcome again next minute.
    expect(
      (await call(REGISTER, { body: { email: newEmail(), password: PASSWORD, name: 'R' } })).status,
    ).toBe(201);
    setClock(start + 60_000);
    expect((await call(REGISTER, { ip, body: { email, password: PASSWORD, name: 'R' } })).status).toBe(201);
  });
});
