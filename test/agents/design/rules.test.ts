import { describe, expect, it } from 'vitest';
import { expectProblem, newAgent, newUser } from '../../support';
import { del, get, patch, post, signUpDesigner } from './designer';

signUpDesigner();

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
