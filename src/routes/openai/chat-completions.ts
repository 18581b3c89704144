import { z } from '@hono/zod-openapi';
import type { OrgCtx } from '../../domain/context';
import { type GatewayPart, type ModelCaller, streamModel } from '../../domain/models/gateway';
import { fromWireRequest } from '../../domain/models/openai-wire';
import { chunker, completionOf } from '../../domain/models/openai-wire-response';
import { errorResponses, jsonBody } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { newId } from '../../lib/ids';
import { gatewayProblem } from './gateway-errors';
import { ChatCompletionRequestSchema, ChatCompletionSchema, tags } from './schemas';

export const chatCompletionsRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/openai/v1/chat/completions',
  tags,
  operationId: 'createOpenAIChatCompletion',
  summary: 'One model turn in OpenAI’s chat completions format, through the gateway (streaming or not)',
  description:
    'Point an OpenAI client’s base URL at `/api/v1/orgs/{orgId}/openai/v1` and use an API key with the ' +
    '`models:call` scope as its key: the call gets the organization’s routing, fallbacks, budgets and AI ' +
    'call log. Tools are declared and their calls returned as OpenAI does; the caller runs them and ' +
    'sends the results back in `tool` messages. With `stream: true` the answer is Server-Sent Events of ' +
    '`chat.completion.chunk` objects ending with `data: [DONE]`; `stream_options.include_usage` adds a ' +
    'last chunk with the usage. Errors are problem details that also carry OpenAI’s `error` object; ' +
    'an error after the stream started is an `{"error": …}` event.',
  access: { role: 'member', scope: 'models:call' },
  request: { params: OrgParamsSchema, body: jsonBody(ChatCompletionRequestSchema) },
  responses: {
    200: {
      description: 'The completion, or its stream of chunks',
      content: {
        'application/json': { schema: ChatCompletionSchema },
        'text/event-stream': { schema: z.string() },
      },
    },
    ...errorResponses(402, 502, 504),
  },
});

const callerOf = (ctx: OrgCtx): ModelCaller => ({
  orgId: ctx.orgId,
  purpose: 'openai_api',
  userId: ctx.actor.type === 'user' ? ctx.actor.id : null,
  apiKeyId: ctx.actor.type === 'api_key' ? ctx.actor.id : null,
});

const DEFAULT_MODEL = 'default';

type Body = z.infer<typeof ChatCompletionRequestSchema>;

/** One turn through the gateway, answered as OpenAI would: whole, or as a stream of chunks. */
export async function chatCompletion(ctx: OrgCtx, body: Body, signal: AbortSignal): Promise<Response> {
  const input = fromWireRequest(body);
  // `default` leaves the choice to routing and the organization's default; any other name or id
  // must be a model of the registry (404 otherwise, from the gateway).
  const model = body.model === DEFAULT_MODEL ? null : body.model;
  // The client hanging up (or the stream being cancelled) stops the provider call.
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
  const parts = streamModel(
    ctx.env,
    { caller: callerOf(ctx), model, ...input, signal: abort.signal },
    ctx.defer,
  )[Symbol.asyncIterator]();
  const meta = { id: newId('chatcmpl'), created: Math.floor(Date.now() / 1000), model: body.model };

  // Until the model says something, a failure (budget, no model, provider down) is an HTTP error.
  const head: GatewayPart[] = [];
  for (let next = await parts.next(); !next.done; next = await parts.next()) {
    head.push(next.value);
    if (next.value.type === 'error') throw gatewayProblem(next.value);
    if (next.value.type !== 'start' && body.stream) break;
  }
  if (!body.stream) return Response.json(completionOf(meta, head));

  const toChunks = chunker(meta, body.stream_options?.include_usage === true);
  const encoder = new TextEncoder();
  const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of head) for (const chunk of toChunks(part)) controller.enqueue(event(chunk));
    },
    async pull(controller) {
      const next = await parts.next();
      if (next.done) {
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        return controller.close();
      }
      for (const chunk of toChunks(next.value)) controller.enqueue(event(chunk));
      // OpenAI ends a failed stream after its error event, without `[DONE]`.
      if (next.value.type === 'error') controller.close();
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
