import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, chat, newChatSession, newUser, orgPath, textOf } from '../support';

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

    // Raised through the API, which forgets cached budgets (a change made in D1 alone shows within a second).
    const raised = await call(orgPath(u.orgId, `/budgets/bud_${now}`), {
      method: 'PATCH',
      token: u.token,
      body: { limit: 1_000_000 },
    });
    expect(raised.status, raised.text).toBe(200);
    const ok = await chat(u, s.id, 'and now');
    expect(textOf(ok.all)).toBe('You said: and now');
  });
});
