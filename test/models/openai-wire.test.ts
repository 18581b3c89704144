import { describe, expect, it } from 'vitest';
import type { GatewayPart } from '../../src/domain/models/gateway';
import { fromWireRequest } from '../../src/domain/models/openai-wire';
import { chunker, completionOf, wireError } from '../../src/domain/models/openai-wire-response';
import { ApiError } from '../../src/lib/errors';

const start: GatewayPart = {
  type: 'start',
  model: { id: 'mdl_1', name: 'house-model', provider: 'dev', dev: true },
  attempt: 1,
};
const finish = (finishReason: 'stop' | 'tool-calls'): GatewayPart => ({
  type: 'finish',
  finishReason,
  usage: { inputTokens: 5, outputTokens: 3 },
  costUsd: null,
});
const meta = () => ({ id: 'chatcmpl_1', created: 1_700_000_000, model: 'default' });

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return { status: (e as ApiError).status, errors: (e as ApiError).errors };
  }
  throw new Error('expected a refusal');
}

describe('OpenAI wire → gateway request', () => {
  it('makes leading system and developer messages the system prompt and keeps later ones in place', () => {
    const input = fromWireRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hello' },
        { role: 'system', content: 'Now be verbose.' },
      ],
    });
    expect(input.system).toBe('Be brief.\n\nAnswer in French.');
    expect(input.messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'system', content: 'Now be verbose.' },
    ]);
  });

  it('translates tool definitions, assistant tool calls and tool results', () => {
    const input = fromWireRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'add' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"sum":1}' },
      ],
      tools: [
        { type: 'function', function: { name: 'add', description: 'Adds', parameters: { type: 'object' } } },
      ],
      max_tokens: 50,
      max_completion_tokens: 40,
      temperature: 0.2,
    });
    expect(input.tools).toEqual({ add: { description: 'Adds', inputSchema: { type: 'object' } } });
    expect(input.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'add', input: { a: 1 } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'add',
            output: { type: 'json', value: { sum: 1 } },
          },
        ],
      },
    ]);
    expect(input).toMatchObject({ maxOutputTokens: 40, temperature: 0.2 });
  });

  it('passes image parts of user messages and drops tools when tool_choice is none', () => {
    const input = fromWireRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
      ],
      tools: [{ type: 'function', function: { name: 'add' } }],
      tool_choice: 'none',
    });
    expect(input.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', image: 'https://example.com/a.png' },
      ],
    });
    expect(input.tools).toBeUndefined();
  });

  it('refuses what the gateway cannot honour, naming the field', () => {
    const user = { role: 'user' as const, content: 'x' };
    expect(refusal(() => fromWireRequest({ model: 'm', messages: [user], n: 2 }))).toMatchObject({
      status: 422,
      errors: [{ path: 'n' }],
    });
    expect(
      refusal(() => fromWireRequest({ model: 'm', messages: [user], tool_choice: 'required' })).errors,
    ).toEqual([{ path: 'tool_choice', message: 'only "auto" and "none" are supported' }]);
    const orphan = refusal(() =>
      fromWireRequest({ model: 'm', messages: [user, { role: 'tool', tool_call_id: 'nope', content: '1' }] }),
    );
    expect(orphan.errors?.[0]?.path).toBe('messages[1].tool_call_id');
    const badArgs = refusal(() =>
      fromWireRequest({
        model: 'm',
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
        ],
      }),
    );
    expect(badArgs.errors?.[0]?.path).toBe('messages[0].tool_calls[0].function.arguments');
    const audio = refusal(() =>
      fromWireRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }),
    );
    expect(audio.errors?.[0]?.path).toBe('messages[0].content[0].type');
  });
});

describe('gateway parts → OpenAI wire', () => {
  it('streams a role on the first delta, the answering model, a finish chunk and a usage chunk', () => {
    const toChunks = chunker(meta(), true);
    const chunks = [
      start,
      { type: 'text-delta', text: 'Hello ' },
      { type: 'text-delta', text: 'there' },
      finish('stop'),
    ].flatMap((p) => toChunks(p as GatewayPart)) as Record<string, any>[];
    expect(chunks.map((c) => c.choices.map((ch: any) => ch.delta))).toEqual([
      [{ role: 'assistant', content: 'Hello ' }],
      [{ content: 'there' }],
      [{}],
      [],
    ]);
    expect(chunks.every((c) => c.model === 'house-model' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[2]?.choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, 3).every((c) => c.usage === null)).toBe(true);
    expect(chunks[3]?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('numbers streamed tool calls and leaves usage out unless asked', () => {
    const toChunks = chunker(meta(), false);
    const parts: GatewayPart[] = [
      { type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: { a: 1 } },
      { type: 'tool-call', toolCallId: 'c2', toolName: 'echo', input: { text: 'hi' } },
      finish('tool-calls'),
    ];
    const chunks = parts.flatMap((p) => toChunks(p)) as Record<string, any>[];
    expect(chunks.map((c) => c.choices[0].delta.tool_calls?.[0])).toEqual([
      { index: 0, id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } },
      { index: 1, id: 'c2', type: 'function', function: { name: 'echo', arguments: '{"text":"hi"}' } },
      undefined,
    ]);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
  });

  it('turns a mid-stream failure into an OpenAI error event', () => {
    const [event] = chunker(meta(), false)({ type: 'error', kind: 'provider', message: 'boom', status: 502 });
    expect(event).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: 'provider' },
    });
  });

  it('builds a whole completion with text, tool calls and usage', () => {
    const text = completionOf(meta(), [start, { type: 'text-delta', text: 'Hi' }, finish('stop')]);
    expect(text).toMatchObject({
      object: 'chat.completion',
      model: 'house-model',
      choices: [{ message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
    const tools = completionOf(meta(), [
      { type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: { a: 1 } },
      finish('tool-calls'),
    ]);
    expect(tools.choices[0]?.message).toMatchObject({
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
    });
    expect(tools.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('classes errors by status as OpenAI clients expect', () => {
    expect(wireError(401, 'unauthenticated', 'x').type).toBe('authentication_error');
    expect(wireError(402, 'budget_exceeded', 'x').type).toBe('insufficient_quota');
    expect(wireError(403, 'forbidden', 'x').type).toBe('permission_error');
    expect(wireError(422, 'validation', 'x', 'messages').type).toBe('invalid_request_error');
    expect(wireError(429, 'rate_limited', 'x').type).toBe('rate_limit_error');
    expect(wireError(503, 'unavailable', 'x').type).toBe('server_error');
  });
});
