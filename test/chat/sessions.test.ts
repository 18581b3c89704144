import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  chat,
  chatPath,
  expectProblem,
  newAgent,
  newChatSession,
  newProject,
  newUser,
} from '../support';

describe('chat sessions', () => {
  it('creates, reads, renames, archives, unarchives and deletes a session', async () => {
    const u = await newUser();
    const project = await newProject(u);
    const s = await newChatSession(u, { title: 'Planning', project_id: project.id });
    expect(s).toMatchObject({
      title: 'Planning',
      project_id: project.id,
      archived: false,
      multitask: 'reject',
    });

    const got = await call(chatPath(u.orgId, `/${s.id}`), { token: u.token });
    expect(got.json.id).toBe(s.id);

    const renamed = await call(chatPath(u.orgId, `/${s.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { title: 'Roadmap' },
    });
    expect(renamed.json.title).toBe('Roadmap');

    const archived = await call(chatPath(u.orgId, `/${s.id}/archive`), { method: 'POST', token: u.token });
    expect(archived.json.archived).toBe(true);
    const refused = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      body: { content: 'hi' },
    });
    expectProblem(refused, 409);
    const back = await call(chatPath(u.orgId, `/${s.id}/unarchive`), { method: 'POST', token: u.token });
    expect(back.json.archived).toBe(false);

    const del = await call(chatPath(u.orgId, `/${s.id}`), { method: 'DELETE', token: u.token });
    expect(del.status).toBe(204);
    expectProblem(await call(chatPath(u.orgId, `/${s.id}`), { token: u.token }), 404);
  });

  it('lists with filters by agent, project, archived state and title text', async () => {
    const u = await newUser();
    const a1 = await newAgent(u);
    const a2 = await newAgent(u);
    const p = await newProject(u);
    const s1 = await newChatSession(u, { agent_id: a1.id, title: 'Release notes draft' });
    const s2 = await newChatSession(u, { agent_id: a2.id, title: 'Bug triage', project_id: p.id });
    await call(chatPath(u.orgId, `/${s2.id}/archive`), { method: 'POST', token: u.token });
    const ids = async (q: string) =>
      (await call(chatPath(u.orgId, q), { token: u.token })).json.data.map((s: { id: string }) => s.id);
    expect(await ids('')).toEqual([s1.id, s2.id]);
    expect(await ids(`?agent_id=${a1.id}`)).toEqual([s1.id]);
    expect(await ids(`?project_id=${p.id}`)).toEqual([s2.id]);
    expect(await ids('?archived=true')).toEqual([s2.id]);
    expect(await ids('?archived=false')).toEqual([s1.id]);
    expect(await ids('?q=release')).toEqual([s1.id]);
    expect(await ids(`?participant=${u.id}`)).toEqual([s1.id, s2.id]);
  });

  it('refuses an agent, project or ticket of another organization and writes nothing', async () => {
    const u = await newUser();
    const other = await newUser();
    const foreign = await newAgent(other);
    const res = await call(chatPath(u.orgId), { token: u.token, body: { agent_id: foreign.id } });
    expectProblem(res, 422);
    expect((await call(chatPath(u.orgId), { token: u.token })).json.data).toEqual([]);
  });

  it('deleting a session erases its messages: a new session object under the same id is empty', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    await chat(u, s.id, 'remember this');
    expect((await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token })).json.data).toHaveLength(
      2,
    );
    await call(chatPath(u.orgId, `/${s.id}`), { method: 'DELETE', token: u.token });
    const { env } = await import('cloudflare:test');
    const left = await env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(s.id)).messages({ limit: 10 });
    expect(left).toEqual([]);
  });

  it('only the creator or an admin deletes a shared session', async () => {
    const owner = await newUser();
    const member = await newUser();
    await addMember(owner, owner.orgId, member, 'member');
    const s = await newChatSession(owner);
    await call(chatPath(owner.orgId, `/${s.id}/share`), { token: owner.token, body: { user_id: member.id } });
    expectProblem(
      await call(chatPath(owner.orgId, `/${s.id}`), { method: 'DELETE', token: member.token }),
      403,
    );
  });
});
