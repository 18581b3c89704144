import { describe, expect, it } from 'vitest';
import { expectProblem, newUser } from '../../support';
import { del, get, patch, post, signUpDesigner, systemRole } from './designer';

signUpDesigner();

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
