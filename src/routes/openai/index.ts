import { createRouter } from '../../http/router';
import { chatCompletion, chatCompletionsRoute } from './chat-completions';
import { listModelsRoute, modelList } from './models';

/** OpenAI's chat completions API under `/orgs/{orgId}/openai/v1`, served by the model gateway. */
export const openaiRouter = createRouter()
  .openapi(chatCompletionsRoute, (c) => chatCompletion(c.var.ctx, c.req.valid('json'), c.req.raw.signal))
  .openapi(listModelsRoute, async (c) => c.json(await modelList(c.var.ctx), 200));

export { openAIErrors } from './errors';
