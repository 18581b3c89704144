import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chat, newChatSession, newUser, textOf } from '../support';

describe('a reply over budget', () => {
  it('ends with an error frame naming the budget, and the session works again once it allows', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const now = Date.now();
    // A one-token monthly budget for the agent: the first call spends past it, so the next is refused.
    await env.DB.prepare(
      `INSERT INTO model_budgets (id, org_id, agent_id, metric, limit_amount, enabled, created_by, created_at, updated_at)
       VALUES (?, ?, ?, 'tokens', 1, 1, ?, ?, ?)`,
    )
      .bind(`bud_${now}`, u.orgId, s.agent_id, u.id, now, now)
      .run();
    expect(textOf((await chat(u, s.id, 'spend it')).all)).toBe('You said: spend it');
    const refused = await chat(u, s.id, 'how much does this cost');
    expect(refused.all).toHaveLength(1);
    expect(refused.all[0]!.data).toMatchObject({ kind: 'budget_exceeded', error: expect.any(String) });

    await env.DB.prepare('UPDATE model_budgets SET limit_amount = 1000000 WHERE id = ?')
      .bind(`bud_${now}`)
      .run();
    const ok = await chat(u, s.id, 'and now');
    expect(textOf(ok.all)).toBe('You said: and now');
  });
});
