import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { aiCalls } from '../../src/db/schema';
import { FAKE_OPENAI_KEY, FAKE_OPENAI_URL, installFakeOpenAI } from './fake-openai';
import { call, unique } from './http';
import { orgPath } from './paths';

/**
 * Installs the fake OpenAI-compatible provider around each test of the file (see
 * `installFakeOpenAI`); answers the current test's, for the requests it saw.
 */
export function useFakeOpenAI() {
  let fixture: ReturnType<typeof installFakeOpenAI>;
  beforeEach(() => {
    fixture = installFakeOpenAI();
  });
  afterEach(() => fixture.restore());
  return () => fixture;
}

/** Registers the fake OpenAI-compatible provider through the API (its key goes to the vault). */
export async function fakeProvider(token: string, orgId: string, apiKey = FAKE_OPENAI_KEY) {
  const res = await call(orgPath(orgId, '/providers'), {
    token,
    body: { kind: 'openai_compatible', name: unique('fake'), base_url: FAKE_OPENAI_URL, api_key: apiKey },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; has_api_key: boolean };
}

/** Registers a model through the API. */
export async function newModel(token: string, orgId: string, body: Record<string, unknown>) {
  const res = await call(orgPath(orgId, '/models'), { token, body: { name: unique('model'), ...body } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; name: string };
}

/** A development-model provider with one model on it (`dev-echo`); `body` adds to the model's fields. */
export async function devModel(token: string, orgId: string, body: Record<string, unknown> = {}) {
  const provider = await call(orgPath(orgId, '/providers'), {
    token,
    body: { kind: 'dev', name: unique('dev') },
  });
  expect(provider.status, provider.text).toBe(201);
  return newModel(token, orgId, { provider_id: provider.json.id, provider_model_id: 'dev-echo', ...body });
}

/**
 * The AI call log rows of an organization, once `count` have landed: they are written after the
 * response (waitUntil), so the test asks again until they are there.
 */
export async function aiLogs(token: string, orgId: string, count: number, query = '') {
  for (let i = 0; i < 100; i++) {
    const res = await call(orgPath(orgId, `/ai-logs?limit=100${query}`), { token });
    expect(res.status, res.text).toBe(200);
    if (res.json.data.length >= count) return res.json.data as Record<string, unknown>[];
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`fewer than ${count} AI call log rows landed`);
}

/**
 * An organization's AI call log rows as stored, once `count` have landed (they are written after
 * the response, see `aiLogs`).
 */
export async function loggedCalls(orgId: string, count: number) {
  const db = createDb(env.DB);
  return vi.waitFor(
    async () => {
      const rows = await db.select().from(aiCalls).where(eq(aiCalls.orgId, orgId));
      if (rows.length < count) throw new Error(`${rows.length} of ${count} AI call log rows landed`);
      return rows;
    },
    { timeout: 5000, interval: 10 },
  );
}
