import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { ProblemSchema } from './problem';

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** Shared error responses, declared once as components and referenced from every route. */
const errorComponents = {
  400: ['BadRequest', 'The request is malformed (e.g. invalid JSON or cursor)'],
  401: ['Unauthenticated', 'Missing, invalid or expired credentials'],
  403: ['Forbidden', "The caller's role or API key scopes do not allow this"],
  404: ['NotFound', 'No such resource in this organization'],
  409: ['Conflict', 'The resource is not in a state that allows this'],
  410: ['Gone', 'The resource existed but is no longer usable (used, expired or past its grace period)'],
  413: ['PayloadTooLarge', 'The request body is larger than allowed'],
  415: ['UnsupportedMediaType', 'The body must be application/json'],
  422: ['ValidationFailed', 'The body, query or path failed validation; see `errors`'],
  429: ['RateLimited', 'Too many requests; retry after the `Retry-After` header'],
  500: ['InternalError', 'An unexpected error; the request id identifies it in logs'],
  503: ['Unavailable', 'A dependency (e.g. the database) is not reachable'],
} as const;

type ErrorStatus = keyof typeof errorComponents;

export function registerOpenApiComponents(app: OpenAPIHono<never>) {
  app.openAPIRegistry.register('Problem', ProblemSchema);
  for (const [name, description] of Object.values(errorComponents)) {
    app.openAPIRegistry.registerComponent('responses', name, { description, content: problemContent });
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access JWT from `/api/v1/auth/login`, or an organization API key (`fmk_…`)',
  });
}

/** Error responses for a route: the ones every route can give plus those named. */
export function errorResponses(...statuses: ErrorStatus[]) {
  const all: ErrorStatus[] = [...new Set<ErrorStatus>([400, 413, 415, 422, 429, 500, ...statuses])];
  return Object.fromEntries(
    all.map((s) => [s, { $ref: `#/components/responses/${errorComponents[s][0]}` }]),
  ) as Record<ErrorStatus, { $ref: string }>;
}

/** Errors of any route behind authentication and an organization. */
export const orgErrors = errorResponses(401, 403, 404);

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const noContent = { description: 'Done; no body' };

export const OrgParamsSchema = z.object({
  orgId: z.string().openapi({ param: { name: 'orgId', in: 'path' }, example: 'org_01hv…' }),
});

export const idParam = (name: string, example: string) =>
  z.object({ [name]: z.string().openapi({ param: { name, in: 'path' }, example }) });
