import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  orgPath,
  type TestUser,
} from '../support';

let u: TestUser;
let other: TestUser;
beforeAll(async () => {
  [u, other] = await Promise.all([newUser('Convenor'), newUser('Elsewhere')]);
});

const councils = (user: TestUser, rest = '') => orgPath(user.orgId, `/councils${rest}`);

async function newCouncil(user: TestUser) {
  const [leader, a, b] = await Promise.all([newAgent(user), newAgent(user), newAgent(user)]);
  const res = await call(councils(user), {
    token: user.token,
    body: { name: 'Architects', leader_agent_id: leader.id, member_agent_ids: [a.id, b.id] },
  });
  expect(res.status, res.text).toBe(201);
  return { council: res.json, leader, members: [a, b] };
}

describe('councils', () => {
  it('creates, reads, lists, changes and deletes a council with its leader and members', async () => {
    const { council, leader, members } = await newCouncil(u);
    expect(council).toMatchObject({
      id: expect.stringMatching(/^cnl_/),
      name: 'Architects',
      leader_agent_id: leader.id,
      member_agent_ids: members.map((m) => m.id),
    });
    expect((await call(councils(u, `/${council.id}`), { token: u.token })).json).toEqual(council);

    const extra = await newAgent(u);
    const patched = await call(councils(u, `/${council.id}`), {
      method: 'PATCH',
      token: u.token,
      body: {
        name: 'Reviewers',
        leader_agent_id: members[0]!.id,
        member_agent_ids: [extra.id, members[1]!.id],
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({
      name: 'Reviewers',
      leader_agent_id: members[0]!.id,
      member_agent_ids: [extra.id, members[1]!.id],
    });

    const list = await call(councils(u, '?limit=100'), { token: u.token });
    expect(list.json.data.find((c: { id: string }) => c.id === council.id)).toEqual(patched.json);

    expect((await call(councils(u, `/${council.id}`), { method: 'DELETE', token: u.token })).status).toBe(
      204,
    );
    expectProblem(await call(councils(u, `/${council.id}`), { token: u.token }), 404);
  });

  it('refuses leaders and members that are not agents of the organization, naming each', async () => {
    const mine = await newAgent(u);
    const theirs = await newAgent(other);
    const res = await call(councils(u), {
      token: u.token,
      body: { name: 'Mixed', leader_agent_id: theirs.id, member_agent_ids: [mine.id, 'agt_missing'] },
    });
    expect(expectProblem(res, 422).errors).toEqual([
      { path: 'leader_agent_id', message: `No agent ${theirs.id} in this organization` },
      { path: 'member_agent_ids.1', message: 'No agent agt_missing in this organization' },
    ]);
    const repeated = await call(councils(u), {
      token: u.token,
      body: { name: 'Echo', leader_agent_id: mine.id, member_agent_ids: [mine.id, mine.id] },
    });
    expectProblem(repeated, 422);
  });

  it('a deleted member agent leaves the council; a deleted leader leaves it without one', async () => {
    const { council, leader, members } = await newCouncil(u);
    for (const agent of [leader, members[0]!])
      expect(
        (await call(orgPath(u.orgId, `/agents/${agent.id}`), { method: 'DELETE', token: u.token })).status,
      ).toBe(204);
    const got = await call(councils(u, `/${council.id}`), { token: u.token });
    expect(got.json).toMatchObject({ leader_agent_id: null, member_agent_ids: [members[1]!.id] });
  });

  it('hides another organization’s councils (404) and keeps viewers and other scopes out of writes', async () => {
    const { council } = await newCouncil(other);
    const mine = await newAgent(u);
    expectProblem(await call(councils(u, `/${council.id}`), { token: u.token }), 404);
    const hijack = await call(councils(u, `/${council.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { member_agent_ids: [mine.id] },
    });
    expectProblem(hijack, 404);
    expectProblem(await call(councils(u, `/${council.id}`), { method: 'DELETE', token: u.token }), 404);
    const theirs = await call(councils(other, `/${council.id}`), { token: other.token });
    expect(theirs.json).toEqual(council);

    const viewer = await newUser('Viewer');
    await addMember(u, u.orgId, viewer, 'viewer');
    expect((await call(councils(u), { token: viewer.token })).status).toBe(200);
    expectProblem(
      await call(councils(u), {
        token: viewer.token,
        body: { name: 'v', leader_agent_id: mine.id, member_agent_ids: [mine.id] },
      }),
      403,
    );
    const key = await newApiKey(u, u.orgId, ['pipelines:read']);
    expect((await call(councils(u), { token: key.key })).status).toBe(200);
    expectProblem(
      await call(councils(u), {
        token: key.key,
        body: { name: 'k', leader_agent_id: mine.id, member_agent_ids: [mine.id] },
      }),
      403,
    );
  });
});
