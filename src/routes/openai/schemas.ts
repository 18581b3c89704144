import { z } from '@hono/zod-openapi';

export const tags = ['OpenAI-compatible API'];

// Bodies are loose objects: OpenAI clients send many optional fields (user, seed, penalties, …)
// that only tune sampling or bookkeeping; a conforming provider may ignore them, so they are not
// refused as unknown. Fields whose meaning the gateway cannot honour are refused by the translation.
const ContentPartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.looseObject({ url: z.string() }).optional(),
});
const ContentSchema = z.union([z.string(), z.array(ContentPartSchema)]).nullable();

const ToolCallSchema = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1).max(64), arguments: z.string() }),
});

const MessageSchema = z
  .discriminatedUnion('role', [
    z.looseObject({ role: z.enum(['system', 'developer']), content: ContentSchema }),
    z.looseObject({ role: z.literal('user'), content: ContentSchema }),
    z.looseObject({
      role: z.literal('assistant'),
      content: ContentSchema.optional(),
      tool_calls: z.array(ToolCallSchema).nullish(),
    }),
    z.looseObject({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: ContentSchema }),
  ])
  .openapi('OpenAIChatMessage');

const ToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, underscores or hyphens'),
    description: z.string().max(4096).optional(),
    parameters: z.record(z.string(), z.unknown()).optional().openapi({ description: 'A JSON Schema object' }),
  }),
});

export const ChatCompletionRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(200).openapi({
      description:
        'A model of the organization’s registry, by name or id (see `…/openai/v1/models`); `default` lets routing and the organization’s default decide',
      example: 'default',
    }),
    messages: z.array(MessageSchema).min(1).max(1000),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
    tools: z.array(ToolSchema).max(128).nullish(),
    tool_choice: z
      .union([
        z.enum(['auto', 'none', 'required']),
        z.looseObject({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
      ])
      .nullish()
      .openapi({ description: '`auto` (the default) or `none`; forcing a tool is not supported (422)' }),
    max_tokens: z.number().int().min(1).nullish(),
    max_completion_tokens: z.number().int().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    n: z.number().int().min(1).nullish().openapi({ description: 'Only 1 is supported' }),
  })
  .openapi('OpenAIChatCompletionRequest');

const UsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

const WireToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          refusal: z.null(),
          tool_calls: z.array(WireToolCallSchema).optional(),
        }),
        logprobs: z.null(),
        finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
      }),
    ),
    usage: UsageSchema,
  })
  .openapi('OpenAIChatCompletion');

export const ModelListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({
        id: z.string(),
        object: z.literal('model'),
        created: z.number().int(),
        owned_by: z.string(),
      }),
    ),
  })
  .openapi('OpenAIModelList');
