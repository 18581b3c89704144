import { describe, expect, it } from 'vitest';
import { call, expectProblem, newUser, PASSWORD } from '../helpers';

describe('register and login', () => {
  it('registers a user with a personal organization they own', async () => {
    const u = await newUser('Ada');
    const me = await call('/api/v1/auth/me', { token: u.token });
    expect(me.status).toBe(200);
    expect(me.json.type).toBe('user');
    expect(me.json.user.email).toBe(u.email);
    expect(me.json.organizations).toEqual([
      expect.objectContaining({ id: u.orgId, role: 'owner', personal: true }),
    ]);
  });

  it('refuses a duplicate email with 409', async () => {
    const u = await newUser();
    const res = await call('/api/v1/auth/register', {
      body: { email: u.email.toUpperCase(), password: PASSWORD, name: 'X' },
    });
    expectProblem(res, 409);
  });

  it('refuses a weak password with a per-field error', async () => {
    const res = await call('/api/v1/auth/register', {
      body: { email: 'weak@example.com', password: 'short', name: 'X' },
    });
    const problem = expectProblem(res, 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'password' })]);
  });

  it('answers a wrong password with 401', async () => {
    const u = await newUser();
    expectProblem(
      await call('/api/v1/auth/login', { body: { email: u.email, password: 'wrong-password-1' } }),
      401,
    );
  });
});
