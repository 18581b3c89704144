import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { modelBudgetReservations } from '../../src/db/schema';
import { reservationHoldMs } from '../../src/domain/models/attempt';
import { applicableBudgets, reserve } from '../../src/domain/models/budget-ledger';
import { type GatewayPart, streamModel } from '../../src/domain/models/gateway';
import { call, newUser, orgPath } from '../support';
import { cron } from '../support/cron';

afterEach(() => vi.useRealTimers());

async function ask(orgId: string) {
  const parts: GatewayPart[] = [];
  for await (const part of streamModel(env, {
    caller: { orgId, purpose: 'chat' },
    messages: [{ role: 'user', content: 'one two three' }],
    maxOutputTokens: 50,
  }))
    parts.push(part);
  return parts.at(-1);
}

describe('budget reservations', () => {
  it('stop holding the budget when they expire unsettled, and housekeeping deletes them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 5, 10, 12);
    vi.setSystemTime(start);
    const u = await newUser();
    const created = await call(orgPath(u.orgId, '/budgets'), {
      token: u.token,
      body: { metric: 'tokens', limit: 1000 },
    });
    const db = createDb(env.DB);
    const budgets = await applicableBudgets(db, u.orgId, null);
    // A call reserves all of the budget, then its Worker dies before it settles.
    const hold = reservationHoldMs(1);
    const orphan = await reserve(db, budgets, { tokens: 1000, microUsd: 0 }, hold);
    expect(orphan.ok).toBe(true);
    const budgetNow = async () =>
      (await call(orgPath(u.orgId, `/budgets/${created.json.id}`), { token: u.token })).json;
    expect(await budgetNow()).toMatchObject({ reserved: 1000, remaining: 0 });
    expect(await ask(u.orgId)).toMatchObject({ type: 'error', kind: 'budget_exceeded' });

    // Until it expires it holds; a moment after, it counts no more and calls go through.
    vi.setSystemTime(start + hold - 1);
    expect(await ask(u.orgId)).toMatchObject({ type: 'error', kind: 'budget_exceeded' });
    vi.setSystemTime(start + hold + 1);
    expect(await budgetNow()).toMatchObject({ reserved: 0, spent: 0, remaining: 1000 });
    expect(await ask(u.orgId)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect((await budgetNow()).spent).toBeGreaterThan(0);

    const left = () =>
      db.select().from(modelBudgetReservations).where(eq(modelBudgetReservations.budgetId, created.json.id));
    expect(await left()).toHaveLength(1);
    await cron(Date.now());
    expect(await left()).toHaveLength(0);
  });

  it('hold a call’s reservation for every attempt of its chain to time out, plus a margin', () => {
    expect(reservationHoldMs(2) - reservationHoldMs(1)).toBe(120_000);
    expect(reservationHoldMs(1)).toBeGreaterThan(120_000);
  });
});
