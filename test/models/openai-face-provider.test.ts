import { env, SELF } from 'cloudflare:test';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { modelBudgetPeriods, modelBudgets, modelProviders, models } from '../../src/db/schema';
import { periodOf } from '../../src/domain/models/budget-ledger';
import { newId } from '../../src/lib/ids';
import {
  FAKE_OPENAI_KEY,
  FAKE_OPENAI_URL,
  loggedCalls,
  ownerWithKey,
  storeItem,
  unique,
  useFakeOpenAI,
} from '../support';

// The face in front of a real OpenAI-compatible provider (the fake, over the AI SDK's client):
// what the provider streams, how it fails, and the gateway's fallbacks reach an OpenAI client.
const fixture = useFakeOpenAI();

/** An organization with the fake registered as a provider and `models` on it (name → provider model). */
async function orgWithFake(registry: Record<string, { remote: string; fallbacks?: string[] }>) {
  const { owner, orgId, key } = await ownerWithKey(['models:call']);
  const { item } = await storeItem(owner.token, orgId, { value: FAKE_OPENAI_KEY });
  const db = createDb(env.DB);
  const now = Date.now();
  const providerId = newId('prv');
  await db.insert(modelProviders).values({
    id: providerId,
    orgId,
    kind: 'openai_compatible',
    name: unique('fake'),
    baseUrl: FAKE_OPENAI_URL,
    keyItemId: item.id,
    createdBy: owner.id,
    createdAt: now,
    updatedAt: now,
  });
  const ids = Object.fromEntries(Object.keys(registry).map((name) => [name, newId('mdl')]));
  await db.insert(models).values(
    Object.entries(registry).map(([name, m]) => ({
      id: ids[name]!,
      orgId,
      name,
      providerId,
      providerModelId: m.remote,
      config: {},
      fallbacks: (m.fallbacks ?? []).map((f) => ids[f]!),
      createdBy: owner.id,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const client = new OpenAI({
    apiKey: key,
    baseURL: `https://foreman.test/api/v1/orgs/${orgId}/openai/v1`,
    maxRetries: 0,
    fetch: (input, init) => SELF.fetch(new Request(input as RequestInfo, init as RequestInit)),
  });
  return { owner, orgId, client };
}

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('OpenAI-compatible face over an OpenAI-compatible provider', () => {
  it('relays the provider’s streamed deltas and usage, asking the provider for usage itself', async () => {
    const { client } = await orgWithFake({ echo: { remote: 'fake-echo' } });
    const stream = await client.chat.completions.create({
      model: 'echo',
      messages: ask('relay these words'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
    expect(text).toBe('Echo: relay these words');
    expect(chunks.every((c) => c.model === 'echo')).toBe(true);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(fixture().seen.at(-1)?.body).toMatchObject({ model: 'fake-echo', stream: true });
  });

  it('passes tool definitions to the provider and its split tool-call deltas back whole', async () => {
    const { client } = await orgWithFake({ echo: { remote: 'fake-echo' } });
    const final = await client.chat.completions
      .stream({
        model: 'echo',
        messages: ask('[[tool:lookup {"q":"foreman"}]]'),
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'lookup', arguments: '{"q":"foreman"}' },
    });
    expect(fixture().seen.at(-1)?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
  });

  it('ends a stream that fails at the provider with an error event after the text so far', async () => {
    const { client } = await orgWithFake({ flaky: { remote: 'fake-mid-stream-error' } });
    const stream = await client.chat.completions.create({
      model: 'flaky',
      messages: ask('this will break halfway'),
      stream: true,
    });
    const seen: string[] = [];
    const drain = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(drain()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(seen.join('')).toBe('Echo: this ');
  });

  it('answers the provider’s 429 with its Retry-After when no fallback is left', async () => {
    const { client } = await orgWithFake({ busy: { remote: 'fake-429' } });
    const limited = await client.chat.completions
      .create({ model: 'busy', messages: ask('x') })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
  });

  it('falls back past a failing model and names the one that answered; the log has both attempts', async () => {
    const { orgId, client } = await orgWithFake({
      primary: { remote: 'fake-503', fallbacks: ['backup'] },
      backup: { remote: 'fake-echo' },
    });
    const reply = await client.chat.completions.create({ model: 'primary', messages: ask('still here') });
    expect(reply.model).toBe('backup');
    expect(reply.choices[0]?.message.content).toBe('Echo: still here');
    const rows = await loggedCalls(orgId, 2);
    expect(rows.map((r) => [r.attempt, r.modelName, r.status, r.purpose]).sort()).toEqual([
      [1, 'primary', 'error', 'openai_api'],
      [2, 'backup', 'ok', 'openai_api'],
    ]);
  });

  it('refuses with 402 naming a spent budget, before calling the provider', async () => {
    const { owner, orgId, client } = await orgWithFake({ echo: { remote: 'fake-echo' } });
    const db = createDb(env.DB);
    const budgetId = newId('bdg');
    await db.insert(modelBudgets).values({
      id: budgetId,
      orgId,
      metric: 'tokens',
      limitAmount: 100,
      createdBy: owner.id,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    await db.insert(modelBudgetPeriods).values({ budgetId, period: periodOf(Date.now()), spent: 100 });
    const refused = await client.chat.completions
      .create({ model: 'echo', messages: ask('one more'), stream: true })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(402);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    expect(refused.message).toContain('budget');
    expect(fixture().seen.filter((r) => r.path.endsWith('/chat/completions'))).toEqual([]);
  });
});
