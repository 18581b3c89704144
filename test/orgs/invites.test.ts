import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectProblem, newUser, unique } from '../support';

const invites = (orgId: string) => `/api/v1/orgs/${orgId}/invites`;

async function inbox(email: string) {
  return (await call(`/dev/outbox?to=${encodeURIComponent(email)}`)).json.data as {
    subject: string;
    text: string;
  }[];
}

describe('invites', () => {
  afterEach(() => vi.useRealTimers());

  it('mails a token that the invited user accepts to join with the role', async () => {
    const owner = await newUser();
    const guest = await newUser();
    const created = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: guest.email, role: 'member' },
    });
    expect(created.status, created.text).toBe(201);
    const mail = await inbox(guest.email);
    expect(mail[0]!.text).toContain(created.json.token);

    const accepted = await call('/api/v1/invites/accept', {
      token: guest.token,
      body: { token: created.json.token },
    });
    expect(accepted.json).toEqual({ organization_id: owner.orgId, role: 'member' });
    const org = await call(`/api/v1/orgs/${owner.orgId}`, { token: guest.token });
    expect(org.json.role).toBe('member');
    expectProblem(
      await call('/api/v1/invites/accept', { token: guest.token, body: { token: created.json.token } }),
      410,
    );
  });

  it('allows one open invite per email', async () => {
    const owner = await newUser();
    const email = `${unique('inv')}@example.com`;
    expect(
      (await call(invites(owner.orgId), { token: owner.token, body: { email, role: 'viewer' } })).status,
    ).toBe(201);
    expectProblem(
      await call(invites(owner.orgId), { token: owner.token, body: { email, role: 'admin' } }),
      409,
    );
    const list = await call(invites(owner.orgId), { token: owner.token });
    expect(list.json.data).toEqual([expect.objectContaining({ email, role: 'viewer' })]);
  });

  it('expires invites, and a new one can then be sent', async () => {
    const owner = await newUser();
    const guest = await newUser();
    const created = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: guest.email, role: 'viewer', expires_in_days: 1 },
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 86_400_000);
    const login = await call('/api/v1/auth/login', {
      body: { email: guest.email, password: 'correct-horse-42' },
    });
    expectProblem(
      await call('/api/v1/invites/accept', {
        token: login.json.access_token,
        body: { token: created.json.token },
      }),
      410,
    );
    const ownerLogin = await call('/api/v1/auth/login', {
      body: { email: owner.email, password: 'correct-horse-42' },
    });
    const again = await call(invites(owner.orgId), {
      token: ownerLogin.json.access_token,
      body: { email: guest.email, role: 'viewer' },
    });
    expect(again.status, again.text).toBe(201);
  });

  it('refuses acceptance by a user with another email', async () => {
    const owner = await newUser();
    const intended = `${unique('someone')}@example.com`;
    const thief = await newUser();
    const created = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: intended, role: 'admin' },
    });
    expectProblem(
      await call('/api/v1/invites/accept', { token: thief.token, body: { token: created.json.token } }),
      403,
    );
  });

  it('revokes an open invite so it can no longer be accepted', async () => {
    const owner = await newUser();
    const guest = await newUser();
    const created = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: guest.email, role: 'member' },
    });
    expect(
      (
        await call(`${invites(owner.orgId)}/${created.json.invite.id}`, {
          method: 'DELETE',
          token: owner.token,
        })
      ).status,
    ).toBe(204);
    expectProblem(
      await call('/api/v1/invites/accept', { token: guest.token, body: { token: created.json.token } }),
      410,
    );
  });

  it('refuses to invite an existing member, an owner role, or a bad email', async () => {
    const owner = await newUser();
    expectProblem(
      await call(invites(owner.orgId), { token: owner.token, body: { email: owner.email, role: 'member' } }),
      409,
    );
    expectProblem(
      await call(invites(owner.orgId), { token: owner.token, body: { email: 'a@b.co', role: 'owner' } }),
      422,
    );
    expectProblem(
      await call(invites(owner.orgId), { token: owner.token, body: { email: 'nope', role: 'member' } }),
      422,
    );
  });

  it('logs a revocation once, and lets only one of two concurrent accepts join', async () => {
    const owner = await newUser();
    const guest = await newUser();
    const revoked = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: `${unique('r')}@example.com`, role: 'member' },
    });
    const revoke = `${invites(owner.orgId)}/${revoked.json.invite.id}`;
    expect((await call(revoke, { method: 'DELETE', token: owner.token })).status).toBe(204);
    expectProblem(await call(revoke, { method: 'DELETE', token: owner.token }), 404);

    const created = await call(invites(owner.orgId), {
      token: owner.token,
      body: { email: guest.email, role: 'viewer' },
    });
    const accepts = await Promise.all(
      [0, 1].map(() =>
        call('/api/v1/invites/accept', { token: guest.token, body: { token: created.json.token } }),
      ),
    );
    expect(accepts.map((r) => r.status).sort()).toEqual([200, 410]);
    const log = await call(`/api/v1/orgs/${owner.orgId}/activity?limit=100`, { token: owner.token });
    const actions = log.json.data.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'invite.revoked')).toHaveLength(1);
    expect(actions.filter((a: string) => a === 'invite.accepted')).toHaveLength(1);
    expect(actions.filter((a: string) => a === 'member.added')).toHaveLength(1);
  });

  it('keeps invites to admins and within the organization', async () => {
    const owner = await newUser();
    const outsider = await newUser();
    expectProblem(await call(invites(owner.orgId), { token: outsider.token }), 404);
    expectProblem(
      await call(invites(owner.orgId), { token: outsider.token, body: { email: 'a@b.co', role: 'member' } }),
      404,
    );
    expectProblem(await call(invites(owner.orgId)), 401);
  });
});
