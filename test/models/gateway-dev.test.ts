import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type GatewayPart, type ModelCallRequest, streamModel } from '../../src/domain/models/gateway';
import { newUser } from '../support';

async function collect(request: ModelCallRequest) {
  const parts: GatewayPart[] = [];
  for await (const part of streamModel(env, request)) parts.push(part);
  return parts;
}

const text = (parts: GatewayPart[]) =>
  parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');

describe('the development model through the gateway', () => {
  it('streams "You said: …" word by word and reports word-count usage', async () => {
    const u = await newUser();
    const parts = await collect({
      caller: { orgId: u.orgId, purpose: 'chat', userId: u.id },
      messages: [{ role: 'user', content: 'hello there world' }],
    });
    expect(parts[0]).toEqual({
      type: 'start',
      model: { id: 'dev', name: 'Development model', provider: 'dev', dev: true },
      attempt: 1,
    });
    const deltas = parts.filter((p) => p.type === 'text-delta');
    expect(deltas.map((d) => d.text)).toEqual(['You', ' said:', ' hello', ' there', ' world']);
    expect(text(parts)).toBe('You said: hello there world');
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 5 },
      costUsd: 0,
    });
  });

  it('emits one tool call per marker instead of text, then answers from the tool result', async () => {
    const u = await newUser();
    const tools = {
      weather: {
        description: 'Weather',
        inputSchema: { type: 'object' as const, properties: { city: { type: 'string' as const } } },
      },
      time: { inputSchema: { type: 'object' as const } },
    };
    const caller = { orgId: u.orgId, purpose: 'chat' as const };
    const parts = await collect({
      caller,
      tools,
      messages: [{ role: 'user', content: 'check [[tool:weather {"city":"Oslo"}]] and [[tool:time]]' }],
    });
    const calls = parts.filter((p) => p.type === 'tool-call');
    expect(calls).toEqual([
      { type: 'tool-call', toolCallId: 'dev_call_1', toolName: 'weather', input: { city: 'Oslo' } },
      { type: 'tool-call', toolCallId: 'dev_call_2', toolName: 'time', input: {} },
    ]);
    expect(text(parts)).toBe('');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });

    const after = await collect({
      caller,
      tools,
      messages: [
        { role: 'user', content: 'check [[tool:weather {"city":"Oslo"}]]' },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', toolCallId: 'dev_call_1', toolName: 'weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'dev_call_1',
              toolName: 'weather',
              output: { type: 'json', value: { temp: 3 } },
            },
          ],
        },
      ],
    });
    expect(text(after)).toBe('Tool weather returned: {"temp":3}');
  });

  it('fails like a provider answering the status named by [[fail:…]]', async () => {
    const u = await newUser();
    const parts = await collect({
      caller: { orgId: u.orgId, purpose: 'chat' },
      messages: [{ role: 'user', content: 'please [[fail:429]]' }],
    });
    expect(parts).toEqual([
      expect.objectContaining({ type: 'error', kind: 'rate_limited', status: 429, retryAfter: 1 }),
    ]);
  });
});
