import { env, SELF } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { aiCalls } from '../../src/db/schema';
import { addMember, captureErrorLog, loggedCalls, newUser, ownerWithKey } from '../support';

/** The official client, pointed at the organization's OpenAI-compatible base URL inside the Worker. */
const clientFor = (orgId: string, apiKey: string) =>
  new OpenAI({
    apiKey,
    baseURL: `https://foreman.test/api/v1/orgs/${orgId}/openai/v1`,
    maxRetries: 0,
    fetch: (input, init) => SELF.fetch(new Request(input as RequestInfo, init as RequestInit)),
  });

const ask = (content: string) => [{ role: 'user' as const, content }];
const ADD = { type: 'function' as const, function: { name: 'add', parameters: { type: 'object' } } };

/** The AI call log rows of an organization (written after the response). */
const logRows = (orgId: string) => createDb(env.DB).select().from(aiCalls).where(eq(aiCalls.orgId, orgId));

describe('OpenAI-compatible face', () => {
  it('lists the models a caller can name', async () => {
    const { orgId, key } = await ownerWithKey(['models:call']);
    const page = await clientFor(orgId, key).models.list();
    expect(page.data).toContainEqual({ id: 'dev', object: 'model', created: 0, owned_by: 'dev' });
  });

  it('answers a whole completion through the gateway, with usage, and logs the call', async () => {
    const { orgId, key, record } = await ownerWithKey(['models:call']);
    const completion = await clientFor(orgId, key).chat.completions.create({
      model: 'default',
      messages: [{ role: 'system', content: 'Be brief.' }, ...ask('hello there')],
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'Development model',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'You said: hello there' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 4 },
    });
    expect(completion.id).toMatch(/^chatcmpl_/);
    const rows = await loggedCalls(orgId, 1);
    expect(rows).toMatchObject([
      { purpose: 'openai_api', apiKeyId: record.id, status: 'ok', outputTokens: 4 },
    ]);
  });

  it('streams deltas ending with a usage chunk when asked', async () => {
    const { orgId, key } = await ownerWithKey(['models:call']);
    const stream = await clientFor(orgId, key).chat.completions.create({
      model: 'dev',
      messages: ask('one two three'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''));
    expect(deltas.filter(Boolean)).toEqual(['You', ' said:', ' one', ' two', ' three']);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
  });

  it('returns tool calls and takes the tool results back, streaming and not', async () => {
    const { orgId, key } = await ownerWithKey(['models:call']);
    const client = clientFor(orgId, key);
    const question = ask('sum it [[tool:add {"a":1,"b":2}]]');
    const whole = await client.chat.completions.create({ model: 'dev', messages: question, tools: [ADD] });
    expect(whole.choices[0]?.finish_reason).toBe('tool_calls');
    const call = whole.choices[0]?.message.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } });

    const streamed = await client.chat.completions
      .stream({ model: 'dev', messages: question, tools: [ADD] })
      .finalChatCompletion();
    expect(streamed.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'add', arguments: '{"a":1,"b":2}' },
    });

    const answer = await client.chat.completions.create({
      model: 'dev',
      tools: [ADD],
      messages: [
        ...question,
        { role: 'assistant', content: null, tool_calls: [call!] },
        { role: 'tool', tool_call_id: call!.id, content: '{"sum":3}' },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe('Tool add returned: {"sum":3}');
  });

  it('lets members call with their session, and refuses viewers and keys without models:call', async () => {
    const owner = await newUser('Owner');
    const [member, viewer] = await Promise.all([newUser('Member'), newUser('Viewer')]);
    await addMember(owner, owner.orgId, member, 'member');
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const reply = await clientFor(owner.orgId, member.token).chat.completions.create({
      model: 'dev',
      messages: ask('hi'),
    });
    expect(reply.choices[0]?.message.content).toBe('You said: hi');
    expect(await loggedCalls(owner.orgId, 1)).toMatchObject([{ userId: member.id, apiKeyId: null }]);

    const refused = await clientFor(owner.orgId, viewer.token)
      .chat.completions.create({ model: 'dev', messages: ask('hi') })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);

    const { orgId, key } = await ownerWithKey(['activity:read']);
    const noScope = await clientFor(orgId, key)
      .chat.completions.create({ model: 'dev', messages: ask('hi') })
      .catch((e) => e);
    expect(noScope).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(noScope.error).toMatchObject({
      type: 'permission_error',
      message: expect.stringContaining('models:call'),
    });
    expect(await logRows(orgId)).toEqual([]);
  });

  it('refuses a missing key in OpenAI’s error shape, still a problem document', async () => {
    const { orgId } = await ownerWithKey(['models:call']);
    const res = await SELF.fetch(`https://foreman.test/api/v1/orgs/${orgId}/openai/v1/models`);
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 401,
      type: expect.stringContaining('/problems/unauthenticated'),
      error: { type: 'authentication_error', code: 'unauthenticated', param: null },
    });
  });

  it('answers 404 for a model the registry does not have, and 422 naming the field for a bad body', async () => {
    const { orgId, key } = await ownerWithKey(['models:call']);
    const client = clientFor(orgId, key);
    const missing = await client.chat.completions
      .create({ model: 'gpt-nope', messages: ask('hi') })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.message).toContain('gpt-nope');

    const empty = await client.chat.completions.create({ model: 'dev', messages: [] }).catch((e) => e);
    expect(empty).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect(empty.error).toMatchObject({ type: 'invalid_request_error', param: 'messages' });

    const many = await client.chat.completions
      .create({ model: 'dev', messages: ask('hi'), n: 2 })
      .catch((e) => e);
    expect(many.status).toBe(422);
    expect(many.error.param).toBe('n');
    const rows = await createDb(env.DB)
      .select()
      .from(aiCalls)
      .where(and(eq(aiCalls.orgId, orgId), eq(aiCalls.status, 'ok')));
    expect(rows).toEqual([]);
  });

  it('answers a provider’s failure before any output with its status class', async () => {
    const errorLog = captureErrorLog();
    const { orgId, key } = await ownerWithKey(['models:call']);
    const client = clientFor(orgId, key);
    const limited = await client.chat.completions
      .create({ model: 'dev', messages: ask('[[fail:429]]'), stream: true })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const down = await client.chat.completions
      .create({ model: 'dev', messages: ask('[[fail:503]]') })
      .catch((e) => e);
    expect(down.status).toBe(502);
    expect(down.error).toMatchObject({ type: 'server_error', code: 'provider_failed' });
    expect(errorLog()).toMatchObject([{ error: expect.stringContaining('asked to fail with HTTP 503') }]);
  });
});
