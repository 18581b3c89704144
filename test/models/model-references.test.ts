import { describe, expect, it } from 'vitest';
import { call, expectProblem, newModel, newUser, orgPath, unique } from '../support';

async function devModels(token: string, orgId: string, names: string[]) {
  const p = await call(orgPath(orgId, '/providers'), { token, body: { kind: 'dev', name: unique('dev') } });
  expect(p.status, p.text).toBe(201);
  return Promise.all(
    names.map((n) =>
      newModel(token, orgId, { name: unique(n), provider_id: p.json.id, provider_model_id: 'dev-echo' }),
    ),
  );
}

describe('models named by agents and roles', () => {
  it('sets an agent’s and a role’s model through the API, and resolution follows them', async () => {
    const u = await newUser();
    const [forRole, forAgent] = await devModels(u.token, u.orgId, ['role', 'agent']);
    const role = await call(orgPath(u.orgId, '/roles'), {
      token: u.token,
      body: { slug: unique('r'), name: 'Writer', model_id: forRole!.id },
    });
    expect(role.status, role.text).toBe(201);
    expect(role.json.model_id).toBe(forRole!.id);
    const agent = await call(orgPath(u.orgId, '/agents'), {
      token: u.token,
      body: { name: unique('a'), role_id: role.json.id },
    });
    expect(agent.json.model_id).toBeNull();
    const resolve = async () =>
      (await call(orgPath(u.orgId, '/models/resolve'), { token: u.token, body: { agent_id: agent.json.id } }))
        .json;
    expect(await resolve()).toMatchObject({ source: 'role', model: { id: forRole!.id } });

    const patched = await call(orgPath(u.orgId, `/agents/${agent.json.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { model_id: forAgent!.id },
    });
    expect(patched.json.model_id).toBe(forAgent!.id);
    expect((await call(orgPath(u.orgId, `/agents/${agent.json.id}`), { token: u.token })).json.model_id).toBe(
      forAgent!.id,
    );
    expect(await resolve()).toMatchObject({ source: 'agent', model: { id: forAgent!.id } });

    // Clearing the agent's model hands the choice back to the role; clearing the role's, onwards.
    await call(orgPath(u.orgId, `/agents/${agent.json.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { model_id: null },
    });
    expect(await resolve()).toMatchObject({ source: 'role' });
    const cleared = await call(orgPath(u.orgId, `/roles/${role.json.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { model_id: null },
    });
    expect(cleared.json.model_id).toBeNull();
    expect(await resolve()).toMatchObject({ source: 'development', model: { id: 'dev' } });
  });

  it('refuses a model that is not the organization’s with 422 naming model_id, without telling it exists', async () => {
    const [a, b] = await Promise.all([newUser(), newUser()]);
    const [theirs] = await devModels(b.token, b.orgId, ['theirs']);
    const agentName = unique('a');
    for (const modelId of [theirs!.id, 'mdl_0000000000zzzzzzzzzzzzzzzz']) {
      const refused = [
        await call(orgPath(a.orgId, '/agents'), {
          token: a.token,
          body: { name: agentName, model_id: modelId },
        }),
        await call(orgPath(a.orgId, '/roles'), {
          token: a.token,
          body: { slug: unique('r'), name: 'R', model_id: modelId },
        }),
      ].map((res) => expectProblem(res, 422));
      for (const problem of refused) {
        expect(problem.errors).toEqual([expect.objectContaining({ path: 'model_id' })]);
        expect(JSON.stringify(problem)).not.toContain(theirs!.name);
      }
    }
    const list = await call(orgPath(a.orgId, `/agents?q=${agentName}`), { token: a.token });
    expect(list.json.data).toEqual([]);
    const agent = await call(orgPath(a.orgId, '/agents'), { token: a.token, body: { name: agentName } });
    expectProblem(
      await call(orgPath(a.orgId, `/agents/${agent.json.id}`), {
        method: 'PATCH',
        token: a.token,
        body: { model_id: theirs!.id },
      }),
      422,
    );
    expect(
      (await call(orgPath(a.orgId, `/agents/${agent.json.id}`), { token: a.token })).json.model_id,
    ).toBeNull();
  });

  it('clears the model from the agents and roles that used it when the model is deleted', async () => {
    const u = await newUser();
    const [model] = await devModels(u.token, u.orgId, ['gone']);
    const role = await call(orgPath(u.orgId, '/roles'), {
      token: u.token,
      body: { slug: unique('r'), name: 'R', model_id: model!.id },
    });
    const agent = await call(orgPath(u.orgId, '/agents'), {
      token: u.token,
      body: { name: unique('a'), model_id: model!.id },
    });
    expect(agent.json.model_id).toBe(model!.id);
    const deleted = await call(orgPath(u.orgId, `/models/${model!.id}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(deleted.status).toBe(204);
    expect(
      (await call(orgPath(u.orgId, `/agents/${agent.json.id}`), { token: u.token })).json.model_id,
    ).toBeNull();
    expect(
      (await call(orgPath(u.orgId, `/roles/${role.json.id}`), { token: u.token })).json.model_id,
    ).toBeNull();
  });

  it('reports default true for exactly one model, and false for every other', async () => {
    const u = await newUser();
    const defaults = async () =>
      Object.fromEntries(
        (await call(orgPath(u.orgId, '/models'), { token: u.token })).json.data.map(
          (m: { id: string; default: unknown }) => [m.id, m.default],
        ),
      );
    expect(await defaults()).toEqual({ dev: true });
    const [chosen, other] = await devModels(u.token, u.orgId, ['chosen', 'other']);
    expect(await defaults()).toEqual({ dev: true, [chosen!.id]: false, [other!.id]: false });
    await call(orgPath(u.orgId, `/models/${chosen!.id}/default`), { method: 'POST', token: u.token });
    expect(await defaults()).toEqual({ dev: false, [chosen!.id]: true, [other!.id]: false });
    const one = await call(orgPath(u.orgId, `/models/${other!.id}`), { token: u.token });
    expect(one.json.default).toBe(false);
    await call(orgPath(u.orgId, `/models/${chosen!.id}`), { method: 'DELETE', token: u.token });
    expect(await defaults()).toEqual({ dev: true, [other!.id]: false });
  });
});
