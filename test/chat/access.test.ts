import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  chat,
  chatPath,
  expectProblem,
  newApiKey,
  newChatSession,
  newUser,
} from '../support';

describe('who can see a chat session', () => {
  it('another organization gets 404 for the session, its messages, stream and replies', async () => {
    const u = await newUser();
    const other = await newUser();
    const s = await newChatSession(u);
    const { replyId } = await chat(u, s.id, 'private');
    // Through their own organization's path, and through this one (of which they are not a member).
    for (const orgId of [other.orgId, u.orgId])
      expectProblem(await call(chatPath(orgId, `/${s.id}`), { token: other.token }), 404);
    for (const rest of ['', '/messages', '/participants', `/messages/${replyId}/stream`, '/stream']) {
      expectProblem(await call(chatPath(other.orgId, `/${s.id}${rest}`), { token: other.token }), 404);
    }
    expectProblem(
      await call(chatPath(other.orgId, `/${s.id}/messages`), { token: other.token, body: { content: 'hi' } }),
      404,
    );
    expectProblem(
      await call(chatPath(other.orgId, `/${s.id}/messages/${replyId}`), {
        method: 'DELETE',
        token: other.token,
      }),
      404,
    );
  });

  it('a member it was not shared with gets 404 and does not see it listed, until it is shared', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const s = await newChatSession(owner);
    await chat(owner, s.id, 'just for me');
    expectProblem(await call(chatPath(owner.orgId, `/${s.id}`), { token: member.token }), 404);
    expectProblem(await call(chatPath(owner.orgId, `/${s.id}/messages`), { token: member.token }), 404);
    expect((await call(chatPath(owner.orgId), { token: member.token })).json.data).toEqual([]);

    const shared = await call(chatPath(owner.orgId, `/${s.id}/share`), {
      token: owner.token,
      body: { user_id: member.id },
    });
    expect(shared.status, shared.text).toBe(200);
    expect(shared.json.data.map((p: any) => [p.user_id, p.role])).toEqual([
      [owner.id, 'creator'],
      [member.id, 'participant'],
    ]);
    const msgs = await call(chatPath(owner.orgId, `/${s.id}/messages`), { token: member.token });
    expect(msgs.json.data).toHaveLength(2);
    expect(
      (await call(chatPath(owner.orgId, `?participant=${member.id}`), { token: owner.token })).json.data,
    ).toHaveLength(1);

    const removed = await call(chatPath(owner.orgId, `/${s.id}/participants/${member.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(removed.status).toBe(204);
    expectProblem(await call(chatPath(owner.orgId, `/${s.id}`), { token: member.token }), 404);
  });

  it('refuses to share with someone outside the organization, writing nothing', async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const s = await newChatSession(owner);
    expectProblem(
      await call(chatPath(owner.orgId, `/${s.id}/share`), {
        token: owner.token,
        body: { user_id: stranger.id },
      }),
      422,
    );
    const list = await call(chatPath(owner.orgId, `/${s.id}/participants`), { token: owner.token });
    expect(list.json.data.map((p: any) => p.user_id)).toEqual([owner.id]);
  });

  it('an API key sees the sessions it created, and needs chat scopes', async () => {
    const owner = await newUser();
    const { key } = await newApiKey(owner, owner.orgId, ['chat:read', 'chat:write', 'agents:write']);
    const ownSession = await newChatSession(owner);
    const agent = await call(`/api/v1/orgs/${owner.orgId}/agents`, {
      token: key,
      body: { name: 'bot-agent' },
    });
    const created = await call(chatPath(owner.orgId), { token: key, body: { agent_id: agent.json.id } });
    expect(created.status, created.text).toBe(201);
    const listed = await call(chatPath(owner.orgId), { token: key });
    expect(listed.json.data.map((s: any) => s.id)).toEqual([created.json.id]);
    expectProblem(await call(chatPath(owner.orgId, `/${ownSession.id}`), { token: key }), 404);
    const { key: readOnly } = await newApiKey(owner, owner.orgId, ['chat:read']);
    expectProblem(
      await call(chatPath(owner.orgId, `/${created.json.id}/messages`), {
        token: readOnly,
        body: { content: 'x' },
      }),
      403,
    );
  });
});
