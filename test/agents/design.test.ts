import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, newAgent, newUser, orgPath, type TestUser, unique } from '../support';

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser('Designer');
});

const get = (rest: string, user = owner) => call(orgPath(user.orgId, `/${rest}`), { token: user.token });
const post = (rest: string, body: unknown, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { token: user.token, body });
const patch = (rest: string, body: unknown, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { method: 'PATCH', token: user.token, body });
const del = (rest: string, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { method: 'DELETE', token: user.token });

async function upload(rest: string, fileName: string, text: string, user = owner) {
  const form = new FormData();
  form.append('file', new File([text], fileName, { type: 'text/markdown' }));
  const res = await SELF.fetch(`https://foreman.test${orgPath(user.orgId, `/${rest}`)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}` },
    body: form,
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function systemRole(slug: string, user = owner) {
  const res = await get('roles?limit=100', user);
  return res.json.data.find((r: any) => r.slug === slug);
}

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

describe('skills', () => {
  it('creates, updates (disables) and deletes a skill', async () => {
    const name = unique('search');
    const s = await post('skills', { name, instructions: 'Use the search tool.' });
    expect(s.status, s.text).toBe(201);
    expect(s.json).toMatchObject({ name, enabled: true, has_credentials: false });
    const off = await patch(`skills/${s.json.id}`, { enabled: false });
    expect(off.json.enabled).toBe(false);
    expect((await get('skills?enabled=false')).json.data.map((x: any) => x.id)).toContain(s.json.id);
    expectProblem(await post('skills', { name, instructions: 'x' }), 409);
    expect((await del(`skills/${s.json.id}`)).status).toBe(204);
    expectProblem(await get(`skills/${s.json.id}`), 404);
  });

  it('uploads a skill from a Markdown file with front matter', async () => {
    const name = unique('upl');
    const res = await upload(
      'skills/upload',
      'whatever.md',
      `---\nname: ${name}\ndescription: "Reads PDFs"\nenabled: false\nversion: 2\ntags: [pdf, docs]\n---\n# PDF\n\nRead them carefully.\n`,
    );
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({
      name,
      description: 'Reads PDFs',
      enabled: false,
      instructions: '# PDF\n\nRead them carefully.',
      metadata: { version: 2, tags: ['pdf', 'docs'] },
    });
  });

  it('uploads a SKILL.md whose front matter uses folded strings, block lists and nested maps', async () => {
    const name = unique('yaml');
    const text = [
      '---',
      `name: ${name}`,
      'description: >',
      '  Extracts tables from PDF files',
      '  and summarises them.',
      'allowed-tools:',
      '  - Read',
      '  - Bash(pdftotext:*)',
      'metadata:',
      '  author: docs-team',
      '  version: "1.2"',
      '  limits: { pages: 50 }',
      'license: |',
      '  Apache-2.0',
      '---',
      '# PDF tables',
      '',
      'Read every page.',
    ].join('\n');
    const res = await upload('skills/upload', 'SKILL.md', text);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({
      name,
      description: 'Extracts tables from PDF files and summarises them.\n',
      instructions: '# PDF tables\n\nRead every page.',
      metadata: {
        'allowed-tools': ['Read', 'Bash(pdftotext:*)'],
        metadata: { author: 'docs-team', version: '1.2', limits: { pages: 50 } },
        license: 'Apache-2.0\n',
      },
    });
  });

  it('refuses front matter that is not valid YAML with a 422 that names the line and the problem', async () => {
    const res = await upload('skills/upload', 'x.md', '---\nname: a\ntags: [pdf, docs\n---\nbody');
    expect(res.status).toBe(422);
    expect(res.json.errors).toEqual([
      { path: 'file', message: expect.stringMatching(/not valid YAML: line \d+: .+/) },
    ]);
    const duplicate = await upload('skills/upload', 'x.md', '---\nname: a\nname: b\n---\nbody');
    expect(duplicate.status).toBe(422);
    expect(duplicate.json.detail).toContain('line 3');
    const list = await upload('skills/upload', 'x.md', '---\n- a\n- b\n---\nbody');
    expect(list.status).toBe(422);
    expect(list.json.detail).toContain('must be a map');
  });

  it('names an uploaded skill after its file when the front matter has no name', async () => {
    const file = `${unique('file')}.md`;
    const res = await upload('skills/upload', file, 'Just instructions.');
    expect(res.status).toBe(201);
    expect(res.json.name).toBe(file.replace('.md', ''));
  });

  it('refuses an upload with unreadable front matter, or with no file, with 422', async () => {
    expect((await upload('skills/upload', 'x.md', '---\nname: a\n  nested: b\n---\nbody')).status).toBe(422);
    const res = await SELF.fetch(`https://foreman.test${orgPath(owner.orgId, '/skills/upload')}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${owner.token}` },
      body: new FormData(),
    });
    expect(res.status).toBe(422);
  });

  it('stores credentials encrypted in the vault, reports only whether they are set, and revokes them', async () => {
    const s = await post('skills', { name: unique('cred'), instructions: 'x' });
    const status = () => get(`skills/${s.json.id}/credentials/status`);
    expect((await status()).json).toEqual({ set: false, updated_at: null });
    const stored = await call(orgPath(owner.orgId, `/skills/${s.json.id}/credentials`), {
      method: 'PUT',
      token: owner.token,
      body: { values: { API_KEY: 'sk-secret-1' } },
    });
    expect(stored.status, stored.text).toBe(200);
    expect(stored.json.set).toBe(true);
    expect(stored.text).not.toContain('sk-secret-1');
    expect((await status()).json.set).toBe(true);
    const skill = await get(`skills/${s.json.id}`);
    expect(skill.json.has_credentials).toBe(true);
    expect(skill.text).not.toContain('sk-secret');

    const again = await call(orgPath(owner.orgId, `/skills/${s.json.id}/credentials`), {
      method: 'PUT',
      token: owner.token,
      body: { values: { API_KEY: 'sk-secret-2' } },
    });
    expect(again.status).toBe(200);
    const vault = await get('vault/items?limit=100');
    const items = vault.json.data.filter((i: any) => i.name === `skill.${s.json.id}.credentials`);
    expect(items).toHaveLength(1);
    expect(JSON.stringify(vault.json)).not.toContain('sk-secret');

    expect((await del(`skills/${s.json.id}/credentials`)).status).toBe(204);
    expect((await status()).json.set).toBe(false);
    expectProblem(await del(`skills/${s.json.id}/credentials`), 404);
  });

  it('combines the instructions of the skills active for a role or an agent', async () => {
    const role = await post('roles', { slug: unique('rr'), name: 'RR' });
    const on = await post('skills', { name: unique('a-on'), instructions: 'Do A.' });
    const off = await post('skills', { name: unique('b-off'), instructions: 'Do B.' });
    const toggled = await post('skills', { name: unique('c-toggled'), instructions: 'Do C.' });
    const link = (id: string, enabled?: boolean) =>
      call(orgPath(owner.orgId, `/roles/${role.json.id}/skills/${id}`), {
        method: 'PUT',
        token: owner.token,
        ...(enabled === undefined ? {} : { body: { enabled } }),
      });
    expect((await link(on.json.id)).status).toBe(200);
    await link(off.json.id);
    await patch(`skills/${off.json.id}`, { enabled: false });
    await link(toggled.json.id, false);

    const res = await get(`skill-instructions?role_id=${role.json.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.skills.map((s: any) => s.id)).toEqual([on.json.id]);
    expect(res.json.instructions).toBe(`## ${on.json.name}\n\nDo A.`);

    const agent = await newAgent(owner, { role_id: role.json.id });
    expect((await get(`skill-instructions?agent_id=${agent.id}`)).json.instructions).toBe(
      res.json.instructions,
    );
    expectProblem(await get('skill-instructions'), 422);
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

describe('modes and mode sessions', () => {
  it('seeds system modes, refuses deleting them and resets them', async () => {
    const modes = await get('modes');
    const slugs = modes.json.data.filter((m: any) => m.system).map((m: any) => m.slug);
    expect(slugs).toEqual(['plan', 'review', 'spec']);
    const plan = modes.json.data.find((m: any) => m.slug === 'plan');
    expectProblem(await del(`modes/${plan.id}`), 409);
    await patch(`modes/${plan.id}`, { instructions: 'changed' });
    const reset = await post(`modes/${plan.id}/reset`, {});
    expect(reset.json).toMatchObject({ is_default: true });
  });

  it('creates, uploads and deletes custom modes', async () => {
    const m = await post('modes', {
      slug: unique('brainstorm'),
      name: 'Brainstorm',
      instructions: 'Go wide.',
    });
    expect(m.status, m.text).toBe(201);
    expectProblem(await post(`modes/${m.json.id}/reset`, {}), 409);
    const slug = unique('triage');
    const up = await upload('modes/upload', 'x.md', `---\nslug: ${slug}\nname: Triage\n---\nSort the inbox.`);
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ slug, name: 'Triage', instructions: 'Sort the inbox.', system: false });
    expect((await del(`modes/${m.json.id}`)).status).toBe(204);
  });

  it('runs a session: one active per project and role, draft, complete with an artifact', async () => {
    const mode = (await get('modes')).json.data.find((m: any) => m.slug === 'spec');
    const role = await systemRole('planner');
    const project = (await post('projects', { name: unique('p') })).json.id;
    const s = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id, draft: 'v1' });
    expect(s.status, s.text).toBe(201);
    expectProblem(await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id }), 409);

    const active = await get(`mode-sessions/active?project_id=${project}&role_id=${role.id}`);
    expect(active.json.id).toBe(s.json.id);
    expect((await patch(`mode-sessions/${s.json.id}`, { draft: 'v2' })).json.draft).toBe('v2');

    const done = await call(orgPath(owner.orgId, `/mode-sessions/${s.json.id}/complete`), {
      method: 'POST',
      token: owner.token,
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json.session.status).toBe('completed');
    expect(done.json.artifact).toMatchObject({ content: 'v2', project_id: project, session_id: s.json.id });

    expect(expectProblem(await patch(`mode-sessions/${s.json.id}`, { draft: 'v3' }), 409).detail).toContain(
      'completed',
    );
    expectProblem(await post(`mode-sessions/${s.json.id}/cancel`, {}), 409);
    expectProblem(await get(`mode-sessions/active?project_id=${project}&role_id=${role.id}`), 404);

    const artifacts = await get(`mode-artifacts?project_id=${project}`);
    expect(artifacts.json.data.map((a: any) => a.id)).toEqual([done.json.artifact.id]);

    const next = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id });
    expect(next.status).toBe(201);
    const cancelled = await post(`mode-sessions/${next.json.id}/cancel`, {});
    expect(cancelled.json.status).toBe('cancelled');
    expect((await get(`mode-artifacts?project_id=${project}`)).json.data).toHaveLength(1);
  });

  it('refuses to complete a session with nothing to store with 422', async () => {
    const mode = (await get('modes')).json.data.find((m: any) => m.slug === 'review');
    const role = await systemRole('reviewer');
    const project = (await post('projects', { name: unique('p') })).json.id;
    const s = await post(`modes/${mode.id}/sessions`, { project_id: project, role_id: role.id });
    expectProblem(await post(`mode-sessions/${s.json.id}/complete`, {}), 422);
    expect(
      (await post(`mode-sessions/${s.json.id}/complete`, { content: 'Looks good', title: 'Review' })).status,
    ).toBe(200);
  });
});

describe('rules', () => {
  it('creates universal and agent rules, lists them for an agent, and refuses deleting permanent ones', async () => {
    const user = await newUser('Ruler');
    const a = await newAgent(user);
    const b = await newAgent(user);
    const universal = await post(
      'rules',
      { rule: 'Never push to main', category: 'workflow', permanent: true },
      user,
    );
    expect(universal.status, universal.text).toBe(201);
    const mine = await post('rules', { rule: 'Write Rust', agent_id: a.id }, user);
    await post('rules', { rule: 'Write Go', agent_id: b.id }, user);
    expect(mine.json).toMatchObject({ category: 'general', permanent: false, agent_id: a.id });

    const forA = await get(`rules?agent_id=${a.id}`, user);
    expect(forA.json.data.map((r: any) => r.rule)).toEqual(['Write Rust', 'Never push to main']);
    expect((await get('rules?scope=all', user)).json.data.map((r: any) => r.rule)).toEqual([
      'Never push to main',
    ]);
    expect((await get('rules?scope=agent', user)).json.data).toHaveLength(2);
    expect((await get('rules?category=workflow', user)).json.data).toHaveLength(1);
    expect((await get('rules?permanent=true', user)).json.data).toHaveLength(1);

    expect((await patch(`rules/${mine.json.id}`, { rule: 'Write safe Rust' }, user)).json.rule).toBe(
      'Write safe Rust',
    );
    expectProblem(await del(`rules/${universal.json.id}`, user), 409);
    expect((await del(`rules/${mine.json.id}`, user)).status).toBe(204);
  });
});

describe('agent templates', () => {
  it('creates a template, lists by sort order, and creates an agent from it', async () => {
    const user = await newUser('Templater');
    const engineer = await systemRole('engineer', user);
    const t = await post(
      'agent-templates',
      {
        name: 'Rust engineer',
        slug: 'rust-engineer',
        category: 'engineering',
        featured: true,
        sort_order: 2,
        role_id: engineer.id,
        model: 'claude-sonnet-4-5',
        tools: ['git', 'cargo'],
        tags: ['rust'],
        config: { temperature: 0.1 },
        emoji: '🦀',
      },
      user,
    );
    expect(t.status, t.text).toBe(201);
    const first = await post('agent-templates', { name: 'First', slug: 'first', sort_order: 1 }, user);
    expectProblem(await post('agent-templates', { name: 'Again', slug: 'rust-engineer' }, user), 409);

    const list = await get('agent-templates?limit=1', user);
    expect(list.json.data.map((x: any) => x.slug)).toEqual(['first']);
    const page2 = await get(`agent-templates?limit=1&cursor=${list.json.next_cursor}`, user);
    expect(page2.json.data.map((x: any) => x.slug)).toEqual(['rust-engineer']);
    expect((await get('agent-templates?featured=true', user)).json.data).toHaveLength(1);

    const agent = await post(
      `agent-templates/${t.json.id}/agents`,
      { name: 'ferris', tags: ['rust', 'cli'] },
      user,
    );
    expect(agent.status, agent.text).toBe(201);
    expect(agent.json).toMatchObject({
      name: 'ferris',
      role_id: engineer.id,
      model: 'claude-sonnet-4-5',
      emoji: '🦀',
      tags: ['rust', 'cli'],
      config: { temperature: 0.1, tools: ['git', 'cargo'] },
      template_id: t.json.id,
    });

    expect((await patch(`agent-templates/${first.json.id}`, { featured: true }, user)).json.featured).toBe(
      true,
    );
    expect((await del(`agent-templates/${first.json.id}`, user)).status).toBe(204);
    expect((await get('agent-templates', user)).json.data.map((x: any) => x.slug)).toEqual(['rust-engineer']);
    expect((await get('agent-templates?include_archived=true', user)).json.data).toHaveLength(2);
    expectProblem(await post(`agent-templates/${first.json.id}/agents`, { name: 'late' }, user), 409);
    expect((await post('agent-templates', { name: 'First again', slug: 'first' }, user)).status).toBe(201);
  });
});
