import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectProblem, newAgent, orgPath, unique } from '../../support';
import { del, get, owner, patch, post, signUpDesigner, upload } from './designer';

signUpDesigner();

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
