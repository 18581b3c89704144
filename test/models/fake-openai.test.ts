import OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { FAKE_OPENAI_KEY, FAKE_OPENAI_MODELS, FAKE_OPENAI_URL, useFakeOpenAI } from '../support';

// The fake provider is proven against the official client, so tests driving the gateway with it
// exercise the same wire format a real OpenAI-compatible provider sends.
const fixture = useFakeOpenAI();
let client: OpenAI;
beforeEach(() => {
  client = new OpenAI({ apiKey: FAKE_OPENAI_KEY, baseURL: FAKE_OPENAI_URL, maxRetries: 0 });
});

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('fake OpenAI-compatible provider', () => {
  it('lists its models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(FAKE_OPENAI_MODELS);
    expect(fixture().seen[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('streams content deltas and reports usage in a final chunk without choices', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-echo',
      messages: ask('hello fake world'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ''));
    expect(deltas.filter(Boolean).length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Echo: hello fake world');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
  });

  it('omits usage from a stream unless stream_options asks for it', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-echo',
      messages: ask('hi'),
      stream: true,
    });
    for await (const chunk of stream) expect(chunk.usage ?? null).toBeNull();
  });

  it('splits tool-call arguments across chunks that the client reassembles', async () => {
    const runner = client.chat.completions.stream({
      model: 'fake-echo',
      messages: ask('use both [[tool:add {"a":1,"b":2}]] [[tool:echo {"text":"hi"}]]'),
      tools: [
        { type: 'function', function: { name: 'add', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'echo', parameters: { type: 'object' } } },
      ],
    });
    const fragments: string[] = [];
    runner.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? [])
        if (call.function?.arguments) fragments.push(call.function.arguments);
    });
    const final = await runner.finalChatCompletion();
    expect(fragments.length).toBe(4);
    for (const fragment of fragments) expect(() => JSON.parse(fragment)).toThrow();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const calls = (choice?.message.tool_calls ?? []).map((c) =>
      c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : null,
    );
    expect(calls).toEqual([
      ['add', { a: 1, b: 2 }],
      ['echo', { text: 'hi' }],
    ]);
  });

  it('answers without streaming, with tool calls and usage', async () => {
    const text = await client.chat.completions.create({ model: 'fake-echo', messages: ask('plain answer') });
    expect(text.object).toBe('chat.completion');
    expect(text.choices[0]?.message.content).toBe('Echo: plain answer');
    expect(text.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });

    const tools = await client.chat.completions.create({
      model: 'fake-echo',
      messages: ask('[[tool:add {"a":1}]]'),
    });
    expect(tools.choices[0]?.finish_reason).toBe('tool_calls');
    expect(tools.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'add', arguments: '{"a":1}' },
    });
  });

  it('replies to a tool result naming the tool', async () => {
    const reply = await client.chat.completions.create({
      model: 'fake-echo',
      messages: [
        ...ask('[[tool:add {"a":1}]]'),
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"sum":1}' },
      ],
    });
    expect(reply.choices[0]?.message.content).toBe('Tool add returned: {"sum":1}');
  });

  it('fails mid-stream with an error event after some content', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-mid-stream-error',
      messages: ask('this will break halfway through'),
      stream: true,
    });
    const seen: string[] = [];
    const drain = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(drain()).rejects.toThrow('The model crashed mid-stream');
    expect(seen.join('')).toBe('Echo: this ');
  });

  it('answers 429 with Retry-After and 503 in the OpenAI error shape', async () => {
    const limited = await client.chat.completions
      .create({ model: 'fake-429', messages: ask('x') })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.code).toBe('rate_limit_exceeded');

    const down = await client.chat.completions
      .create({ model: 'fake-503', messages: ask('x') })
      .catch((e) => e);
    expect(down).toBeInstanceOf(OpenAI.InternalServerError);
    expect(down.status).toBe(503);
    expect(down.error).toMatchObject({ type: 'server_error' });
  });

  it('refuses a wrong key and a body without messages', async () => {
    const wrongKey = new OpenAI({ apiKey: 'sk-wrong', baseURL: FAKE_OPENAI_URL, maxRetries: 0 });
    const refused = await wrongKey.models.list().catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.code).toBe('invalid_api_key');

    const bad = await client.chat.completions.create({ model: 'fake-echo', messages: [] }).catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
