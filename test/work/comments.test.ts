import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newTicket, newUser, orgPath } from '../support';

describe('comments', () => {
  it('lists, adds, edits and deletes comments, recording each', async () => {
    const u = await newUser();
    const t = await newTicket(u, {});
    const first = await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), {
      token: u.token,
      body: { body: 'First' },
    });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ body: 'First', author: { type: 'user', id: u.id } });
    await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token, body: { body: 'Second' } });
    const edited = await call(orgPath(u.orgId, `/tickets/${t.id}/comments/${first.json.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { body: 'First, edited' },
    });
    expect(edited.json.body).toBe('First, edited');
    const list = await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token });
    expect(list.json.data.map((c: { body: string }) => c.body)).toEqual(['First, edited', 'Second']);
    const del = await call(orgPath(u.orgId, `/tickets/${t.id}/comments/${first.json.id}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(del.status).toBe(204);
    expect(
      (await call(orgPath(u.orgId, `/tickets/${t.id}/comments`), { token: u.token })).json.data,
    ).toHaveLength(1);
    const actions = await call(orgPath(u.orgId, `/activity?entity_id=${t.id}`), { token: u.token });
    expect(actions.json.data.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['ticket.comment_added', 'ticket.comment_edited', 'ticket.comment_deleted']),
    );
  });

  it('lets only the author edit, and the author or an admin delete', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const t = await newTicket(owner, {});
    const c = await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
      token: member.token,
      body: { body: 'mine' },
    });
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${c.json.id}`), {
        method: 'PATCH',
        token: owner.token,
        body: { body: 'x' },
      }),
      403,
    );
    const own = await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
      token: owner.token,
      body: { body: 'owner’s' },
    });
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${own.json.id}`), {
        method: 'DELETE',
        token: member.token,
      }),
      403,
    );
    expect(
      (
        await call(orgPath(owner.orgId, `/tickets/${t.id}/comments/${c.json.id}`), {
          method: 'DELETE',
          token: owner.token,
        })
      ).status,
    ).toBe(204);
  });

  it('validates, needs a member to write and hides other organizations’ comments', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const stranger = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const t = await newTicket(owner, {});
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
        token: owner.token,
        body: { body: ' ' },
      }),
      422,
    );
    expect(
      (await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), { token: viewer.token })).status,
    ).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`), {
        token: viewer.token,
        body: { body: 'x' },
      }),
      403,
    );
    expectProblem(await call(orgPath(owner.orgId, `/tickets/${t.id}/comments`)), 401);
    expectProblem(
      await call(orgPath(stranger.orgId, `/tickets/${t.id}/comments`), {
        token: stranger.token,
        body: { body: 'x' },
      }),
      404,
    );
  });
});
