import { describe, expect, it } from 'vitest';
import { call, expectProblem, newAgent, newUser, orgPath, unique } from '../../support';
import { del, get, owner, patch, post, signUpDesigner, systemRole } from './designer';

signUpDesigner();

describe('roles', () => {
  it('seeds the system roles for every organization', async () => {
    const res = await get('roles');
    expect(res.status, res.text).toBe(200);
    const system = res.json.data.filter((r: any) => r.system).map((r: any) => r.slug);
    expect(system).toEqual(['engineer', 'planner', 'researcher', 'reviewer']);
    expect(res.json.data.every((r: any) => r.is_default !== false)).toBe(true);
  });

  it('creates, updates and deletes a custom role', async () => {
    const slug = unique('ops');
    const created = await post('roles', {
      slug,
      name: 'Ops',
      prompt_template: 'You run {{project.name}}',
      platform_scopes: ['agents:read'],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      slug,
      system: false,
      is_default: null,
      platform_scopes: ['agents:read'],
    });
    const updated = await patch(`roles/${created.json.id}`, { name: 'Operations', platform_scopes: [] });
    expect(updated.json).toMatchObject({ name: 'Operations', platform_scopes: [] });
    expect((await del(`roles/${created.json.id}`)).status).toBe(204);
    expectProblem(await get(`roles/${created.json.id}`), 404);
  });

  it("refuses a custom role with a system role's slug, or a duplicate slug, with 409", async () => {
    await get('roles');
    expectProblem(await post('roles', { slug: 'planner', name: 'Mine' }), 409);
    const slug = unique('dup');
    await post('roles', { slug, name: 'A' });
    expectProblem(await post('roles', { slug, name: 'B' }), 409);
  });

  it('refuses unknown platform scopes with 422', async () => {
    expectProblem(await post('roles', { slug: unique('r'), name: 'R', platform_scopes: ['root'] }), 422);
  });

  it('refuses to delete a system role, and resets one to its default', async () => {
    const planner = await systemRole('planner');
    expectProblem(await del(`roles/${planner.id}`), 409);
    const edited = await patch(`roles/${planner.id}`, { prompt_template: 'Changed {{agent.name}}' });
    expect(edited.json.is_default).toBe(false);
    const reset = await post(`roles/${planner.id}/reset`, {});
    expect(reset.status, reset.text).toBe(200);
    expect(reset.json.is_default).toBe(true);
    expect(reset.json.prompt_template).toContain('{{agent.display_name}}');
  });

  it('refuses to reset a custom role with 409', async () => {
    const r = await post('roles', { slug: unique('c'), name: 'C' });
    expectProblem(await post(`roles/${r.json.id}/reset`, {}), 409);
  });

  it('previews a prompt with a context, reporting unknown and missing variables', async () => {
    const r = await post('roles', {
      slug: unique('p'),
      name: 'P',
      prompt_template: 'Hi {{agent.display_name}} in {{ project.name }}; {{task.title}} {{nonsense}}',
    });
    const res = await post(`roles/${r.json.id}/preview`, {
      context: { agent: { display_name: 'Felix' }, 'project.name': 'Apollo' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      rendered: 'Hi Felix in Apollo; {{task.title}} {{nonsense}}',
      variables: ['agent.display_name', 'project.name', 'task.title', 'nonsense'],
      unknown: ['nonsense'],
      missing: ['task.title'],
    });
    const draft = await post(`roles/${r.json.id}/preview`, {
      template: '{{org.name}}!',
      context: { org: { name: 'Acme' } },
    });
    expect(draft.json.rendered).toBe('Acme!');
  });

  it('lists the prompt context variables by category', async () => {
    const res = await call('/api/v1/prompt-variables', { token: owner.token });
    expect(res.status).toBe(200);
    const agent = res.json.data.find((g: any) => g.category === 'agent');
    expect(agent.variables.map((v: any) => v.name)).toContain('agent.display_name');
    expectProblem(await call('/api/v1/prompt-variables'), 401);
  });

  it('clears the role from agents when a custom role is deleted', async () => {
    const r = await post('roles', { slug: unique('gone'), name: 'Gone' });
    const a = await newAgent(owner, { role_id: r.json.id });
    await del(`roles/${r.json.id}`);
    expect((await get(`agents/${a.id}`)).json.role_id).toBeNull();
  });
});

describe('role assignments', () => {
  it('assigns roles per project and globally, lists them (and mine), and removes them', async () => {
    const member = await newUser('Other');
    const engineer = await systemRole('engineer');
    const a = await newAgent(owner);
    const project = (await post('projects', { name: unique('p') })).json.id;
    const global = await post('role-assignments', { role_id: engineer.id, agent_id: a.id });
    expect(global.status, global.text).toBe(201);
    expect(global.json).toMatchObject({ project_id: null, created_by: owner.id });
    const scoped = await post('role-assignments', {
      role_id: engineer.id,
      agent_id: a.id,
      project_id: project,
    });
    expect(scoped.status).toBe(201);
    expectProblem(await post('role-assignments', { role_id: engineer.id, agent_id: a.id }), 409);
    expectProblem(
      await post('role-assignments', { role_id: engineer.id, agent_id: a.id, project_id: project }),
      409,
    );

    const list = await get(`role-assignments?agent_id=${a.id}`);
    expect(list.json.data.map((x: any) => x.id)).toEqual([scoped.json.id, global.json.id]);
    expect((await get(`role-assignments?project_id=${project}`)).json.data.map((x: any) => x.id)).toEqual([
      scoped.json.id,
    ]);
    expect((await get('role-assignments/mine')).json.data.map((x: any) => x.id)).toContain(global.json.id);
    expect((await get(`role-assignments/${global.json.id}`)).json).toEqual(global.json);
    expect((await get('role-assignments/mine', member)).json.data).toEqual([]);

    expect((await del(`role-assignments/${global.json.id}`)).status).toBe(204);
    expectProblem(await get(`role-assignments/${global.json.id}`), 404);
  });

  it("refuses another organization's agent as a validation error", async () => {
    const other = await newUser('Other');
    const theirs = await newAgent(other);
    const engineer = await systemRole('engineer');
    const res = await post('role-assignments', { role_id: engineer.id, agent_id: theirs.id });
    expect(expectProblem(res, 422).errors[0].path).toBe('agent_id');
  });
});

describe('role links to skills, modes and MCP servers', () => {
  it('assigns, toggles, lists and removes a skill on a role', async () => {
    const role = await post('roles', { slug: unique('lr'), name: 'LR' });
    const s = await post('skills', { name: unique('ls'), instructions: 'x' });
    const path = `roles/${role.json.id}/skills/${s.json.id}`;
    const put = (body?: unknown) =>
      call(orgPath(owner.orgId, `/${path}`), {
        method: 'PUT',
        token: owner.token,
        ...(body ? { body } : {}),
      });
    expect((await put()).json).toMatchObject({ kind: 'skill', target_id: s.json.id, enabled: true });
    expect((await put({ enabled: false })).json.enabled).toBe(false);
    const list = await get(`roles/${role.json.id}/skills`);
    expect(list.json.data).toEqual([
      expect.objectContaining({ target_id: s.json.id, enabled: false, name: s.json.name }),
    ]);
    expect((await del(path)).status).toBe(204);
    expectProblem(await del(path), 404);
  });

  it('assigns a mode to a role', async () => {
    const role = await post('roles', { slug: unique('mr'), name: 'MR' });
    const modes = await get('modes');
    const spec = modes.json.data.find((m: any) => m.slug === 'spec');
    const res = await call(orgPath(owner.orgId, `/roles/${role.json.id}/modes/${spec.id}`), {
      method: 'PUT',
      token: owner.token,
    });
    expect(res.status, res.text).toBe(200);
    expect((await get(`roles/${role.json.id}/modes`)).json.data).toHaveLength(1);
  });

  it("refuses another organization's skill with 404", async () => {
    const other = await newUser('Other');
    const theirs = await post('skills', { name: unique('t'), instructions: 'x' }, other);
    const role = await post('roles', { slug: unique('xr'), name: 'XR' });
    const res = await call(orgPath(owner.orgId, `/roles/${role.json.id}/skills/${theirs.json.id}`), {
      method: 'PUT',
      token: owner.token,
    });
    expectProblem(res, 404);
  });
});
