import { env } from 'cloudflare:test';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { aiCalls } from '../../src/db/schema';
import { promptTokens } from '../../src/domain/models/call-accounting';
import { type GatewayPart, type ModelCallRequest, streamModel } from '../../src/domain/models/gateway';
import { call, FAKE_OPENAI_HOST, fakeProvider, newModel, newUser, orgPath, useFakeOpenAI } from '../support';

useFakeOpenAI();
let held: ReturnType<typeof holdStream>;
beforeEach(() => {
  held = holdStream();
});
afterEach(() => held.restore());

/**
 * The fake provider's answers to the model `held` are streams the test feeds chunk by chunk, so a
 * test can cancel after some text with no clock involved. The request's abort signal errors the
 * stream, as a real connection would end; `aborted` says whether the provider call was stopped.
 */
function holdStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const state = { aborted: false };
  const chunk = (delta: object) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-held',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'held',
      choices: [{ index: 0, delta, finish_reason: null }],
    })}\n\n`;
  const installed = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input as RequestInfo, init);
    if (new URL(request.url).host !== FAKE_OPENAI_HOST || request.method !== 'POST')
      return installed(input as RequestInfo, init);
    const wire = (await request.clone().json()) as { model: string };
    if (wire.model !== 'held') return installed(input as RequestInfo, init);
    init?.signal?.addEventListener('abort', () => {
      state.aborted = true;
      controller.error(new DOMException('The request was aborted', 'AbortError'));
    });
    controller.enqueue(encoder.encode(chunk({ role: 'assistant', content: '' })));
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  };
  return {
    state,
    push: (text: string) => controller.enqueue(encoder.encode(chunk({ content: text }))),
    restore: () => {
      globalThis.fetch = installed;
    },
  };
}

async function setup(providerModelId: string) {
  const u = await newUser();
  const fake = await fakeProvider(u.token, u.orgId);
  const model = await newModel(u.token, u.orgId, {
    provider_id: fake.id,
    provider_model_id: providerModelId,
  });
  return { u, model };
}

const rowsOf = (orgId: string) => createDb(env.DB).select().from(aiCalls).where(eq(aiCalls.orgId, orgId));

/** Reads parts until `until` says stop (the stream stays open), or to the end. */
async function read(parts: AsyncIterator<GatewayPart>, until?: (seen: GatewayPart[]) => boolean) {
  const seen: GatewayPart[] = [];
  while (!until?.(seen)) {
    const next = await parts.next();
    if (next.done) break;
    seen.push(next.value);
  }
  return seen;
}
const deltas = (n: number) => (seen: GatewayPart[]) =>
  seen.filter((p) => p.type === 'text-delta').length >= n;

describe('gateway failures and cancellation', () => {
  it('reports a provider’s mid-stream error object in words, in the part and the log row', async () => {
    const { u, model } = await setup('fake-mid-stream-error');
    const request: ModelCallRequest = {
      caller: { orgId: u.orgId, purpose: 'chat', userId: u.id },
      model: model.id,
      messages: [{ role: 'user', content: 'this will break halfway' }],
    };
    const parts = await read(streamModel(env, request)[Symbol.asyncIterator]());
    const message = 'The model crashed mid-stream (server_error)';
    expect(parts.at(-1)).toEqual({ type: 'error', kind: 'provider', message });
    const [row] = await rowsOf(u.orgId);
    expect(row).toMatchObject({
      status: 'error',
      errorKind: 'provider',
      errorMessage: message,
      // The provider sent no usage before it broke: what streamed ("Echo: this ") is estimated.
      usageEstimated: true,
      outputTokens: Math.ceil('Echo: this '.length / 4),
      inputTokens: promptTokens(request),
    });
    const logged = await call(orgPath(u.orgId, '/ai-logs'), { token: u.token });
    expect(logged.json.data[0]).toMatchObject({ error_message: message, usage_estimated: true });
  });

  it('records a call cancelled after some text as cancelled, with estimated tokens the budget is charged', async () => {
    const { u, model } = await setup('held');
    const budget = await call(orgPath(u.orgId, '/budgets'), {
      token: u.token,
      body: { metric: 'tokens', limit: 100_000 },
    });
    const abort = new AbortController();
    const request: ModelCallRequest = {
      caller: { orgId: u.orgId, purpose: 'chat' },
      model: model.id,
      messages: [{ role: 'user', content: 'tell me a long story' }],
      signal: abort.signal,
    };
    const parts = streamModel(env, request)[Symbol.asyncIterator]();
    held.push('Once upon ');
    held.push('a time, ');
    expect(await read(parts, deltas(2))).toHaveLength(3);
    abort.abort();
    expect(await read(parts)).toEqual([
      { type: 'error', kind: 'cancelled', message: 'The caller cancelled the call' },
    ]);
    expect(held.state.aborted).toBe(true);
    const output = Math.ceil('Once upon a time, '.length / 4);
    const [row] = await rowsOf(u.orgId);
    expect(row).toMatchObject({
      status: 'cancelled',
      errorKind: 'cancelled',
      usageEstimated: true,
      outputTokens: output,
      inputTokens: promptTokens(request),
    });
    const after = await call(orgPath(u.orgId, `/budgets/${budget.json.id}`), { token: u.token });
    expect(after.json).toMatchObject({ spent: promptTokens(request) + output, reserved: 0 });
  });

  it('stops the provider call and logs it as cancelled when the caller stops reading', async () => {
    const { u, model } = await setup('held');
    const parts = streamModel(env, {
      caller: { orgId: u.orgId, purpose: 'chat' },
      model: model.id,
      messages: [{ role: 'user', content: 'go on' }],
    })[Symbol.asyncIterator]();
    held.push('First words ');
    await read(parts, deltas(1));
    await parts.return?.();
    expect(held.state.aborted).toBe(true);
    const [row] = await rowsOf(u.orgId);
    expect(row).toMatchObject({
      status: 'cancelled',
      errorMessage: 'The caller stopped reading the answer',
      usageEstimated: true,
      outputTokens: Math.ceil('First words '.length / 4),
    });
  });

  it('keeps provider-reported usage unestimated', async () => {
    const { u, model } = await setup('fake-echo');
    await read(
      streamModel(env, {
        caller: { orgId: u.orgId, purpose: 'chat' },
        model: model.id,
        messages: [{ role: 'user', content: 'hello fake world' }],
      })[Symbol.asyncIterator](),
    );
    const [row] = await rowsOf(u.orgId);
    expect(row).toMatchObject({ status: 'ok', usageEstimated: false, inputTokens: 3, outputTokens: 4 });
  });
});
