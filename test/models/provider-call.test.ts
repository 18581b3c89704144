import { describe, expect, it } from 'vitest';
import type { ModelCallRequest } from '../../src/domain/models/gateway';
import { callOptions, toolInput } from '../../src/domain/models/provider-call';

const caller = { orgId: 'org_1', purpose: 'openai_api' } as const;
const signal = new AbortController().signal;

describe('callOptions', () => {
  it('puts the system prompt first and converts each message to the models’ own prompt', async () => {
    const request: ModelCallRequest = {
      caller,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'c1',
              toolName: 'weather',
              output: { type: 'json', value: 3 },
            },
          ],
        },
      ],
    };
    const options = await callOptions(request, {}, { maxOutputTokens: 64, abortSignal: signal });
    expect(options.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: 3 } },
        ],
      },
    ]);
    expect(options.maxOutputTokens).toBe(64);
    expect(options.abortSignal).toBe(signal);
    expect(options.tools).toBeUndefined();
    expect(options.toolChoice).toBeUndefined();
  });

  it('offers tools as function tools the model may choose among', async () => {
    const inputSchema = { type: 'object', properties: { city: { type: 'string' } } } as const;
    const options = await callOptions(
      {
        caller,
        messages: [{ role: 'user', content: 'hi' }],
        tools: { weather: { description: 'The weather in a city', inputSchema } },
      },
      {},
      { abortSignal: signal },
    );
    expect(options.tools).toEqual([
      { type: 'function', name: 'weather', description: 'The weather in a city', inputSchema },
    ]);
    expect(options.toolChoice).toEqual({ type: 'auto' });
  });
});

describe('toolInput', () => {
  it('parses the JSON a provider sent as a tool call’s arguments', () => {
    expect(toolInput('{"city":"Oslo"}')).toEqual({ city: 'Oslo' });
  });

  it('reads no arguments as an empty object', () => {
    expect(toolInput('')).toEqual({});
    expect(toolInput('  ')).toEqual({});
  });

  it('keeps arguments that are not JSON as text, for the tool to refuse', () => {
    expect(toolInput('{"city": Oslo')).toBe('{"city": Oslo');
  });

  it('keeps arguments that would reach an object’s prototype as text', () => {
    const raw = '{"__proto__":{"admin":true}}';
    expect(toolInput(raw)).toBe(raw);
  });
});
