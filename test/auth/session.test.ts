import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  activityActions,
  CHANGE_PASSWORD,
  call,
  expectProblem,
  expectUnauthenticated,
  freezeClock,
  insertApiKey,
  LOGOUT,
  loginOk,
  ME,
  newUser,
  PASSWORD,
  REFRESH,
  setClock,
  TOTP_ENROL,
} from '../support';

afterEach(() => {
  vi.useRealTimers();
});

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

const refresh = (refresh_token: string) => call(REFRESH, { body: { refresh_token } });
const me = (token: string) => call(ME, { token });

describe('GET /auth/me', () => {
  it('describes the user, their session and every organization with their role', async () => {
    const owner = await newUser('Owner');
    const u = await newUser('Member');
    // The owner invites u into their organization as a viewer (straight in D1: no dependency on the
    // members routes, which another suite covers).
    await env.DB.prepare('INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)')
      .bind(owner.orgId, u.id, 'viewer', Date.now())
      .run();
    const res = await me(u.token);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      type: 'user',
      user: {
        id: u.id,
        email: u.email,
        name: 'Member',
        personal_org_id: u.orgId,
        totp_enabled: false,
        created_at: expect.any(String),
      },
      session_id: u.sessionId,
      organizations: expect.arrayContaining([
        { id: u.orgId, name: "Member's workspace", slug: expect.any(String), personal: true, role: 'owner' },
        {
          id: owner.orgId,
          name: "Owner's workspace",
          slug: expect.any(String),
          personal: true,
          role: 'viewer',
        },
      ]),
    });
    expect(res.json.organizations).toHaveLength(2);
    expect(JSON.stringify(res.json)).not.toMatch(/password|totp_secret|hash/i);
  });

  it('answers an unauthenticated request with 401, a problem and WWW-Authenticate', async () => {
    const problem = expectUnauthenticated(await call(ME));
    expect(problem.type).toMatch(/unauthenticated$/);
    expect(problem.instance).toBe('/api/v1/auth/me');
  });

  it('describes an API key caller by its organization and scopes', async () => {
    const u = await newUser();
    const key = await insertApiKey(u.orgId, u.id, ['activity:read']);
    const res = await me(key.raw);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      type: 'api_key',
      api_key: { id: key.id, organization_id: u.orgId, scopes: ['activity:read'] },
    });
  });
});

describe('POST /auth/refresh', () => {
  it('rotates: a new pair for the same session, and the old access token stays valid until logout', async () => {
    const u = await newUser();
    const res = await refresh(u.refreshToken);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^frt_/),
      session_id: u.sessionId,
    });
    expect(res.json.refresh_token).not.toBe(u.refreshToken);
    expect(res.json.access_token).not.toBe(u.token);
    expect((await me(res.json.access_token)).status).toBe(200);
    expect((await me(u.token)).status).toBe(200);

    // The new refresh token rotates again.
    const again = await refresh(res.json.refresh_token);
    expect(again.status, again.text).toBe(200);
    expect(again.json.session_id).toBe(u.sessionId);

    expect((await call(LOGOUT, { method: 'POST', token: u.token })).status).toBe(204);
    expectUnauthenticated(await me(u.token));
    expectUnauthenticated(await me(again.json.access_token));
  });

  it('treats reuse of a rotated refresh token as theft: 401, and the whole session is revoked', async () => {
    const u = await newUser();
    const first = await refresh(u.refreshToken);
    expect(first.status).toBe(200);
    const second = await refresh(first.json.refresh_token);
    expect(second.status).toBe(200);

    const problem = expectUnauthenticated(await refresh(u.refreshToken));
    expect(problem.detail).toMatch(/already used/);

    // Every token of the family is dead: the newest refresh token and every access token.
    expectUnauthenticated(await refresh(second.json.refresh_token));
    expectUnauthenticated(await me(second.json.access_token));
    expectUnauthenticated(await me(first.json.access_token));
    expectUnauthenticated(await me(u.token));

    const row = await env.DB.prepare('SELECT revoked_reason FROM sessions WHERE id = ?')
      .bind(u.sessionId)
      .first<{ revoked_reason: string }>();
    expect(row?.revoked_reason).toBe('refresh_token_reuse');

    // The user can still sign in afresh, and sees the reuse in their activity log.
    const fresh = await loginOk(u.email);
    const actions = await activityActions(fresh.access_token, u.orgId);
    expect(actions.find((a) => a.action === 'session.refresh_reuse_detected')).toMatchObject({
      actor: { type: 'system' },
      entity: { type: 'session', id: u.sessionId },
    });
  });

  it('does not let reuse in one session touch the user’s other sessions', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    expect((await refresh(u.refreshToken)).status).toBe(200);
    expectUnauthenticated(await refresh(u.refreshToken));
    expect((await me(other.access_token)).status).toBe(200);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });

  it('lets only one of several concurrent refreshes with one token succeed', async () => {
    const u = await newUser();
    const results = await Promise.all(Array.from({ length: 3 }, () => refresh(u.refreshToken)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok, results.map((r) => r.text).join('\n')).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectUnauthenticated(r);
    // The losers presented a token that had already been rotated, which is indistinguishable from
    // a thief racing the owner: the session is revoked, the winner's pair included.
    expectUnauthenticated(await refresh(ok[0]!.json.refresh_token));
    expectUnauthenticated(await me(ok[0]!.json.access_token));
  });

  it('refuses a refresh token after logout', async () => {
    const u = await newUser();
    expect((await call(LOGOUT, { method: 'POST', token: u.token })).status).toBe(204);
    const problem = expectUnauthenticated(await refresh(u.refreshToken));
    expect(problem.detail).toMatch(/invalid or expired/);
  });

  it('refuses a refresh token once its session has expired (30 days)', async () => {
    const start = freezeClock(Date.now());
    const u = await newUser();
    setClock(start + 29 * 86_400_000);
    const res = await refresh(u.refreshToken);
    expect(res.status, res.text).toBe(200);
    setClock(start + 30 * 86_400_000 + 1_000);
    expectUnauthenticated(await refresh(res.json.refresh_token));
  });

  it('refuses unknown, malformed and access tokens as refresh tokens', async () => {
    const u = await newUser();
    expectUnauthenticated(await refresh('frt_unknown'));
    expectUnauthenticated(await refresh(u.token.slice(0, 200)));
    expectProblem(await call(REFRESH, { body: {} }), 422);
    expectProblem(await call(REFRESH, { body: { refresh_token: '' } }), 422);
    expectProblem(await call(REFRESH, { body: { refresh_token: 'x'.repeat(500) } }), 422);
    // A failed guess does not disturb the real session.
    expect((await refresh(u.refreshToken)).status).toBe(200);
  });
});

describe('POST /auth/logout', () => {
  it('ends this session only: another session of the same user keeps working', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    const res = await call(LOGOUT, { method: 'POST', token: u.token });
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    expectUnauthenticated(await me(u.token));
    expectUnauthenticated(await refresh(u.refreshToken));
    expect((await me(other.access_token)).status).toBe(200);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });

  it('accepts an explicit {"all": false} as this session only', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    expect((await call(LOGOUT, { token: u.token, body: { all: false } })).status).toBe(204);
    expectUnauthenticated(await me(u.token));
    expect((await me(other.access_token)).status).toBe(200);
  });

  it('ends every session of the user with {"all": true}', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    const third = await loginOk(u.email);
    expect((await call(LOGOUT, { token: u.token, body: { all: true } })).status).toBe(204);
    for (const t of [u.token, other.access_token, third.access_token]) expectUnauthenticated(await me(t));
    for (const r of [u.refreshToken, other.refresh_token, third.refresh_token])
      expectUnauthenticated(await refresh(r));
    // Other users are untouched.
    const stranger = await newUser();
    expect((await me(stranger.token)).status).toBe(200);
  });

  it('refuses a second logout with the same token: the session is already over', async () => {
    const u = await newUser();
    expect((await call(LOGOUT, { method: 'POST', token: u.token })).status).toBe(204);
    expectUnauthenticated(await call(LOGOUT, { method: 'POST', token: u.token }));
  });

  it('refuses an invalid body', async () => {
    const u = await newUser();
    expectProblem(await call(LOGOUT, { token: u.token, body: { all: 'yes' } }), 422);
    expectProblem(await call(LOGOUT, { token: u.token, body: '{"all":' }), 400);
    expect((await me(u.token)).status).toBe(200);
  });

  it('requires authentication', async () => {
    expectUnauthenticated(await call(LOGOUT, { method: 'POST' }));
  });

  it('refuses API keys on the signed-in person’s routes with 403', async () => {
    const u = await newUser();
    const key = await insertApiKey(u.orgId, u.id, ['*']);
    const logout = expectProblem(await call(LOGOUT, { method: 'POST', token: key.raw }), 403);
    expect(logout.detail).toMatch(/signed-in user/);
    expectProblem(
      await call(CHANGE_PASSWORD, {
        token: key.raw,
        body: { current_password: PASSWORD, new_password: 'x-1234567890' },
      }),
      403,
    );
    expectProblem(await call(TOTP_ENROL, { method: 'POST', token: key.raw }), 403);
    // Nothing happened to the user's session.
    expect((await me(u.token)).status).toBe(200);
  });

  it('records the logout in the personal organization', async () => {
    const u = await newUser();
    const other = await loginOk(u.email);
    expect((await call(LOGOUT, { method: 'POST', token: u.token })).status).toBe(204);
    const actions = await activityActions(other.access_token, u.orgId, '&action=user.logged_out');
    expect(actions).toEqual([
      expect.objectContaining({
        actor: { type: 'user', id: u.id },
        entity: { type: 'session', id: u.sessionId },
        metadata: { all_devices: false },
      }),
    ]);
  });
});
