import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, newUser, orgPath, type TestUser, unique } from '../support';

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser('Modeller');
});

const post = async (rest: string, body: unknown) => {
  const res = await call(orgPath(owner.orgId, `/${rest}`), { token: owner.token, body });
  expect(res.status, res.text).toBeLessThan(300);
  return res.json;
};
const put = (rest: string) => call(orgPath(owner.orgId, `/${rest}`), { method: 'PUT', token: owner.token });
const del = async (rest: string) => {
  const res = await call(orgPath(owner.orgId, `/${rest}`), { method: 'DELETE', token: owner.token });
  expect(res.status, res.text).toBe(204);
};

/** How many rows of `table` have `column` = `id`, read straight from D1. */
async function rows(table: string, column: string, id: string) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`)
    .bind(id)
    .first<{ n: number }>();
  return row!.n;
}

/** A custom role linked to a new skill, mode and MCP server, assigned to a new agent in a new project. */
async function designedRole() {
  const role = await post('roles', { slug: unique('role'), name: 'Role' });
  const skill = await post('skills', { name: unique('skill'), instructions: 'Do it.' });
  const mode = await post('modes', { slug: unique('mode'), name: 'Mode', instructions: 'Go.' });
  const mcp = await post('mcp-servers', { name: unique('mcp'), url: 'https://mcp.example.com/mcp' });
  for (const link of [`skills/${skill.id}`, `modes/${mode.id}`, `mcp-servers/${mcp.id}`])
    expect((await put(`roles/${role.id}/${link}`)).status).toBe(200);
  const agent = await post('agents', { name: unique('agent'), role_id: role.id });
  const project = await post('projects', { name: unique('project') });
  await post('role-assignments', { role_id: role.id, agent_id: agent.id, project_id: project.id });
  await post('rules', { category: 'style', rule: 'Be brief', agent_id: agent.id });
  const session = await post(`modes/${mode.id}/sessions`, { project_id: project.id, role_id: role.id });
  return { role, skill, mode, mcp, agent, project, session };
}

describe('foreign keys', () => {
  it('are enforced by D1', async () => {
    expect(await env.DB.prepare('PRAGMA foreign_keys').first()).toEqual({ foreign_keys: 1 });
    await expect(
      env.DB.prepare(
        "INSERT INTO role_skills (role_id, skill_id, org_id, enabled, created_at, updated_at) VALUES ('rol_none', 'skl_none', ?, 1, 0, 0)",
      )
        .bind(owner.orgId)
        .run(),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it('deleting a role leaves no links, assignments or sessions and clears it from agents', async () => {
    const d = await designedRole();
    await del(`roles/${d.role.id}`);
    for (const table of [
      'role_skills',
      'role_modes',
      'role_mcp_servers',
      'role_assignments',
      'mode_sessions',
    ])
      expect(await rows(table, 'role_id', d.role.id), table).toBe(0);
    expect(await rows('agents', 'role_id', d.role.id)).toBe(0);
    expect(await rows('agents', 'id', d.agent.id)).toBe(1);
  });

  it('deleting a skill, a mode or an MCP server removes its role links only', async () => {
    const d = await designedRole();
    await del(`skills/${d.skill.id}`);
    expect(await rows('role_skills', 'skill_id', d.skill.id)).toBe(0);
    await call(orgPath(owner.orgId, `/mode-sessions/${d.session.id}/cancel`), {
      token: owner.token,
      body: {},
    });
    await del(`modes/${d.mode.id}`);
    expect(await rows('role_modes', 'mode_id', d.mode.id)).toBe(0);
    expect(await rows('mode_sessions', 'mode_id', d.mode.id)).toBe(0);
    await del(`mcp-servers/${d.mcp.id}`);
    expect(await rows('role_mcp_servers', 'mcp_server_id', d.mcp.id)).toBe(0);
    expect(await rows('agent_roles', 'id', d.role.id)).toBe(1);
  });

  it('deleting an agent removes its tags, role assignments and rules', async () => {
    const d = await designedRole();
    const tagged = await post('agents', { name: unique('tagged'), tags: ['a', 'b'] });
    await del(`agents/${tagged.id}`);
    expect(await rows('agent_tags', 'agent_id', tagged.id)).toBe(0);
    await del(`agents/${d.agent.id}`);
    for (const table of ['agent_tags', 'role_assignments', 'agent_rules'])
      expect(await rows(table, 'agent_id', d.agent.id), table).toBe(0);
  });

  it('deleting a project removes its tickets, comments, dependencies and project role assignments', async () => {
    const d = await designedRole();
    const a = await post('tickets', { title: 'A', project_id: d.project.id });
    const b = await post('tickets', { title: 'B', project_id: d.project.id, parent_id: a.id });
    const c = await post('tickets', { title: 'C', project_id: d.project.id });
    await post(`tickets/${c.id}/dependencies`, { depends_on_id: a.id });
    await post(`tickets/${a.id}/comments`, { body: 'Note' });
    await del(`projects/${d.project.id}`);
    for (const table of ['tickets', 'ticket_dependencies', 'role_assignments', 'mode_sessions'])
      expect(await rows(table, 'project_id', d.project.id), table).toBe(0);
    for (const id of [a.id, b.id, c.id]) expect(await rows('ticket_comments', 'ticket_id', id)).toBe(0);
    expect(await rows('tickets_fts', 'ticket_id', a.id)).toBe(0);
  });

  it('refuses a role assignment or mode session for a project that does not exist with 422', async () => {
    const d = await designedRole();
    const assign = await call(orgPath(owner.orgId, '/role-assignments'), {
      token: owner.token,
      body: { role_id: d.role.id, agent_id: d.agent.id, project_id: 'prj_missing' },
    });
    expect(expectProblem(assign, 422).errors[0].path).toBe('project_id');
    const session = await call(orgPath(owner.orgId, `/modes/${d.mode.id}/sessions`), {
      token: owner.token,
      body: { project_id: 'prj_missing', role_id: d.role.id },
    });
    expect(expectProblem(session, 422).errors[0].path).toBe('project_id');
  });
});
