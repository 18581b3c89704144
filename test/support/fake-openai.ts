/**
 * A local fake of an OpenAI-compatible provider, speaking the chat completions wire format exactly
 * (SSE chunks, tool-call deltas split across chunks, usage in the final chunk, OpenAI error JSON).
 * `fakeOpenAI` builds the answers from web-standard Request/Response, so the same code serves tests
 * inside workerd (`installFakeOpenAI`, intercepting `fetch`) and the benchmark's loopback Node
 * server (`fake-openai-server.mjs`). No vitest import here: Node loads this file too.
 *
 * Behaviour is scripted by the requested model id:
 * - `fake-429`: 429 with `Retry-After: 7`; `fake-503`: 503 (both in OpenAI's error JSON);
 * - `fake-mid-stream-error`: streams two content deltas, then an SSE error event, no `[DONE]`;
 * - any other id answers normally: `[[tool:<name> <json args>]]` markers in the last user message
 *   become tool calls (one per marker, arguments split across chunks); a last `tool` message gets
 *   `Tool <name> returned: <content>`; otherwise `Echo: <last user text>`, one word per chunk.
 * Usage counts words. Requests need `Authorization: Bearer ${FAKE_OPENAI_KEY}`.
 */

export const FAKE_OPENAI_HOST = 'llm.fixture-models.com';
export const FAKE_OPENAI_URL = `https://${FAKE_OPENAI_HOST}/v1`;
export const FAKE_OPENAI_KEY = 'sk-fake-fixture-key';
export const FAKE_OPENAI_MODELS = ['fake-echo', 'fake-429', 'fake-503', 'fake-mid-stream-error'];

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
interface WireMessage {
  role: string;
  content?: string | { type: string; text?: string }[] | null;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
}
interface WireRequest {
  model: string;
  messages: WireMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}
interface Reply {
  text: string;
  toolCalls: WireToolCall[];
}

let sequence = 0;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const wireError = (status: number, message: string, type: string, code: string | null, headers = {}) =>
  json({ error: { message, type, param: null, code } }, status, headers);

const textOf = (content: WireMessage['content']) =>
  typeof content === 'string'
    ? content
    : (content ?? []).map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function replyTo(messages: WireMessage[]): Reply {
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const call = messages.flatMap((m) => m.tool_calls ?? []).find((c) => c.id === last.tool_call_id);
    return {
      text: `Tool ${call?.function.name ?? 'unknown'} returned: ${textOf(last.content)}`,
      toolCalls: [],
    };
  }
  const userText = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
  const toolCalls = [...userText.matchAll(/\[\[tool:(\S+)\s+(\{.*?\})\]\]/g)].map(
    ([, name = '', args = '{}'], i): WireToolCall => ({
      id: `call_fake_${++sequence}_${i}`,
      type: 'function',
      function: { name, arguments: args },
    }),
  );
  return { text: toolCalls.length > 0 ? '' : `Echo: ${userText}`, toolCalls };
}

function usageOf(request: WireRequest, reply: Reply) {
  const prompt = request.messages.reduce((n, m) => n + words(textOf(m.content)), 0);
  const completion =
    words(reply.text) + reply.toolCalls.reduce((n, c) => n + words(c.function.arguments) + 1, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The SSE events of one streamed completion, in order (`[DONE]` included unless it fails). */
function streamEvents(request: WireRequest, reply: Reply, failMidStream: boolean): string[] {
  const id = `chatcmpl-fake-${++sequence}`;
  const created = Math.floor(Date.now() / 1000);
  const withUsage = request.stream_options?.include_usage === true;
  const envelope = {
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    system_fingerprint: null,
  };
  const chunk = (delta: object, finish: string | null = null) =>
    JSON.stringify({
      ...envelope,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(withUsage ? { usage: null } : {}),
    });
  const events = [chunk({ role: 'assistant', content: '' })];
  const pieces = reply.text.split(/(?<= )/);
  if (failMidStream) {
    for (const piece of pieces.slice(0, 2)) events.push(chunk({ content: piece }));
    events.push(
      JSON.stringify({
        error: { message: 'The model crashed mid-stream', type: 'server_error', param: null, code: null },
      }),
    );
    return events;
  }
  if (reply.text) for (const piece of pieces) events.push(chunk({ content: piece }));
  reply.toolCalls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
    );
    // Arguments arrive in fragments that are not valid JSON on their own, as real providers send them.
    const args = call.function.arguments;
    const cut = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, cut), args.slice(cut)])
      if (part) events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
  });
  events.push(chunk({}, reply.toolCalls.length > 0 ? 'tool_calls' : 'stop'));
  if (withUsage) events.push(JSON.stringify({ ...envelope, choices: [], usage: usageOf(request, reply) }));
  events.push('[DONE]');
  return events;
}

function sse(events: string[]) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(`data: ${event}\n\n`));
      controller.close();
    },
  });
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' },
  });
}

function completion(request: WireRequest, reply: Reply) {
  return json({
    id: `chatcmpl-fake-${++sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.toolCalls.length > 0 ? null : reply.text,
          refusal: null,
          ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: reply.toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageOf(request, reply),
  });
}

async function chatCompletions(request: Request) {
  let body: WireRequest;
  try {
    body = (await request.json()) as WireRequest;
  } catch {
    return wireError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
  }
  if (typeof body?.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0)
    return wireError(400, "'model' and a non-empty 'messages' are required.", 'invalid_request_error', null);
  if (body.model === 'fake-429')
    return wireError(429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', {
      'Retry-After': '7',
    });
  if (body.model === 'fake-503')
    return wireError(503, 'The server is overloaded or not ready yet.', 'server_error', null);
  const reply = replyTo(body.messages);
  if (body.stream) return sse(streamEvents(body, reply, body.model === 'fake-mid-stream-error'));
  if (body.model === 'fake-mid-stream-error')
    return wireError(500, 'The model crashed mid-stream', 'server_error', null);
  return completion(body, reply);
}

/** Answers one request the way an OpenAI-compatible provider rooted at `…/v1` would. */
export async function fakeOpenAI(request: Request): Promise<Response> {
  if (request.headers.get('Authorization') !== `Bearer ${FAKE_OPENAI_KEY}`)
    return wireError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
  const path = new URL(request.url).pathname.replace(/\/+$/, '');
  if (request.method === 'GET' && path.endsWith('/v1/models'))
    return json({
      object: 'list',
      data: FAKE_OPENAI_MODELS.map((id) => ({
        id,
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'fake',
      })),
    });
  if (request.method === 'POST' && path.endsWith('/v1/chat/completions')) return chatCompletions(request);
  return wireError(
    404,
    `Unknown request URL: ${request.method} ${path}.`,
    'invalid_request_error',
    'unknown_url',
  );
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

/**
 * Routes outbound requests for the fake's host to `fakeOpenAI` (the Worker runs in the test's
 * isolate, so it shares `fetch`); every other request goes out as usual. Returns the requests the
 * fake saw and a restore function (call it in `afterEach`).
 */
export function installFakeOpenAI() {
  const original = globalThis.fetch;
  const seen: SeenRequest[] = [];
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    if (url.host !== FAKE_OPENAI_HOST) return original(input as RequestInfo, init);
    const text = await request.clone().text();
    let body: unknown = text || null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    seen.push({ method: request.method, path: url.pathname, headers: request.headers, body });
    return fakeOpenAI(request);
  };
  const restore = () => {
    globalThis.fetch = original;
  };
  return { seen, restore };
}
