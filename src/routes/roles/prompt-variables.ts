import { createRoute, z } from '@hono/zod-openapi';
import { PROMPT_VARIABLES } from '../../domain/agent-design/prompt';
import { errorResponses, jsonResponse } from '../../http/openapi';
import { createRouter } from '../../http/router';

const tags = ['Agent roles'];

const variablesRoute = createRoute({
  method: 'get',
  path: '/prompt-variables',
  tags,
  operationId: 'listPromptVariables',
  summary: 'The context variables a role prompt can use, grouped by category',
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            category: z.string(),
            variables: z.array(z.object({ name: z.string(), description: z.string() })),
          }),
        ),
      }),
      'The catalog',
    ),
    ...errorResponses(401),
  },
});

const variableCatalog = Object.entries(PROMPT_VARIABLES).map(([category, vars]) => ({
  category,
  variables: Object.entries(vars).map(([name, description]) => ({ name, description })),
}));

export const promptVariablesRouter = createRouter().openapi(variablesRoute, (c) =>
  c.json({ data: variableCatalog }, 200),
);
