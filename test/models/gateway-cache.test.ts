import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { models } from '../../src/db/schema';
import { CREDENTIAL_CACHE_TTL_MS } from '../../src/domain/auth/credential-cache';
import {
  call,
  captureErrorLog,
  FAKE_OPENAI_KEY,
  fakeProvider,
  newModel,
  newUser,
  orgPath,
  useFakeOpenAI,
} from '../support';

// The gateway keeps models, budgets and provider keys for a second per isolate: these prove that a
// change made through the API takes effect on the very next call, and one made elsewhere (another
// isolate) within the second.

const fixture = useFakeOpenAI();
afterEach(() => {
  vi.useRealTimers();
});

/** A fake-provider model in a new organization, called once so that its setup is cached. */
async function calledOnce() {
  const u = await newUser();
  const provider = await fakeProvider(u.token, u.orgId);
  const model = await newModel(u.token, u.orgId, {
    provider_id: provider.id,
    provider_model_id: 'fake-echo',
  });
  const ask = () =>
    call(orgPath(u.orgId, '/openai/v1/chat/completions'), {
      token: u.token,
      body: { model: model.name, messages: [{ role: 'user', content: 'hello' }] },
    });
  expect((await ask()).status).toBe(200);
  return { ...u, provider, model, ask };
}

const patch = async (token: string, path: string, body: unknown) => {
  const res = await call(path, { method: 'PATCH', token, body });
  expect(res.status, res.text).toBe(200);
};

describe('the gateway’s per-isolate setup cache', () => {
  it('refuses a model on the next call once it, or its provider, is disabled', async () => {
    const u = await calledOnce();
    await patch(u.token, orgPath(u.orgId, `/models/${u.model.id}`), { enabled: false });
    expect((await u.ask()).status).toBe(404);
    await patch(u.token, orgPath(u.orgId, `/models/${u.model.id}`), { enabled: true });
    expect((await u.ask()).status).toBe(200);
    await patch(u.token, orgPath(u.orgId, `/providers/${u.provider.id}`), { enabled: false });
    expect((await u.ask()).status).toBe(404);
  });

  it('refuses a deleted model on the next call', async () => {
    const u = await calledOnce();
    const res = await call(orgPath(u.orgId, `/models/${u.model.id}`), { method: 'DELETE', token: u.token });
    expect(res.status).toBe(204);
    expect((await u.ask()).status).toBe(404);
  });

  it('applies a budget created, then disabled, from the next call on', async () => {
    const u = await calledOnce();
    const created = await call(orgPath(u.orgId, '/budgets'), {
      token: u.token,
      body: { metric: 'tokens', limit: 1 },
    });
    expect(created.status, created.text).toBe(201);
    // The first call under the budget reserves and goes through; it spends past the limit.
    expect((await u.ask()).status).toBe(200);
    expect((await u.ask()).status).toBe(402);
    await patch(u.token, orgPath(u.orgId, `/budgets/${created.json.id}`), { enabled: false });
    expect((await u.ask()).status).toBe(200);
  });

  it('calls the provider with a changed key from the next call on', async () => {
    const u = await calledOnce();
    // The provider's refusal of the wrong key is logged as a failed request: expected here.
    captureErrorLog();
    await patch(u.token, orgPath(u.orgId, `/providers/${u.provider.id}`), { api_key: 'sk-not-the-key' });
    expect((await u.ask()).status).toBeGreaterThanOrEqual(400);
    await patch(u.token, orgPath(u.orgId, `/providers/${u.provider.id}`), { api_key: FAKE_OPENAI_KEY });
    expect((await u.ask()).status).toBe(200);
    const keys = fixture().seen.map((r) => r.headers.get('Authorization'));
    expect(keys).toEqual([`Bearer ${FAKE_OPENAI_KEY}`, 'Bearer sk-not-the-key', `Bearer ${FAKE_OPENAI_KEY}`]);
  });

  it('sees a change made outside this isolate within the second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    const u = await calledOnce();
    // As another isolate would: straight to D1, so nothing here is told to forget.
    await createDb(env.DB).update(models).set({ enabled: false }).where(eq(models.id, u.model.id));
    vi.setSystemTime(Date.now() + CREDENTIAL_CACHE_TTL_MS);
    expect((await u.ask()).status).toBe(404);
  });
});
