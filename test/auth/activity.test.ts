import { describe, expect, it } from 'vitest';
import {
  activityActions,
  CHANGE_PASSWORD,
  call,
  expectProblem,
  FORGOT,
  LOGIN,
  loginOk,
  NEW_PASSWORD,
  newUser,
  PASSWORD,
  RESET,
  registerUser,
  resetTokenFor,
} from '../support';

describe('identity activity in the personal organization', () => {
  it('records the registration and the personal organization it created', async () => {
    const u = await newUser();
    const entries = await activityActions(u.token, u.orgId);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'user.registered',
          actor: { type: 'user', id: u.id },
          entity: { type: 'user', id: u.id },
        }),
        expect.objectContaining({
          action: 'organization.created',
          actor: { type: 'user', id: u.id },
          entity: { type: 'organization', id: u.orgId },
        }),
      ]),
    );
  });

  it('records each login with its session, client address and user agent', async () => {
    const u = await newUser();
    const res = await call(LOGIN, {
      ip: '203.0.113.9',
      headers: { 'User-Agent': 'activity-test/1.0' },
      body: { email: u.email, password: PASSWORD },
    });
    expect(res.status, res.text).toBe(200);
    const logins = await activityActions(u.token, u.orgId, '&action=user.logged_in');
    expect(logins).toHaveLength(2);
    expect(logins[0]).toMatchObject({
      actor: { type: 'user', id: u.id },
      entity: { type: 'session', id: res.json.session_id },
      ip: '203.0.113.9',
      metadata: { user_agent: 'activity-test/1.0' },
    });
  });

  it('records nothing for a failed login, and never the password', async () => {
    const u = await newUser();
    await call(LOGIN, { body: { email: u.email, password: 'wrong-password-1' } });
    const entries = await activityActions(u.token, u.orgId);
    expect(entries.filter((e) => e.action === 'user.logged_in')).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
    expect(JSON.stringify(entries)).not.toContain('wrong-password-1');
  });

  it('records a password change', async () => {
    const u = await newUser();
    const res = await call(CHANGE_PASSWORD, {
      token: u.token,
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(res.status, res.text).toBe(204);
    expect(await activityActions(u.token, u.orgId, '&action=user.password_changed')).toEqual([
      expect.objectContaining({ actor: { type: 'user', id: u.id }, entity: { type: 'user', id: u.id } }),
    ]);
  });

  it('records nothing for a refused password change', async () => {
    const u = await newUser();
    await call(CHANGE_PASSWORD, {
      token: u.token,
      body: { current_password: 'not-my-password-1', new_password: NEW_PASSWORD },
    });
    expect(await activityActions(u.token, u.orgId, '&action=user.password_changed')).toEqual([]);
  });

  it('records a reset request and the reset', async () => {
    const u = await registerUser();
    expect((await call(FORGOT, { body: { email: u.email } })).status).toBe(202);
    const token = await resetTokenFor(u.email);
    expect((await call(RESET, { body: { token, password: NEW_PASSWORD } })).status).toBe(204);
    const tokens = await loginOk(u.email, NEW_PASSWORD);
    const entries = await activityActions(tokens.access_token, u.personal_org_id);
    expect(entries).toEqual(
      expect.arrayContaining(
        ['user.password_reset_requested', 'user.password_reset'].map((action) =>
          expect.objectContaining({
            action,
            actor: { type: 'user', id: u.id },
            entity: { type: 'user', id: u.id },
          }),
        ),
      ),
    );
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('keeps a user’s identity activity out of other users’ reach', async () => {
    const u = await newUser();
    const stranger = await newUser();
    expectProblem(await call(`/api/v1/orgs/${u.orgId}/activity`, { token: stranger.token }), 404);
    const mine = await activityActions(stranger.token, stranger.orgId);
    expect(mine.every((e) => e.actor.id === stranger.id)).toBe(true);
  });
});
