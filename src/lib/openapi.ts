import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { ProblemSchema } from './problem';

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

/** Shared error responses, declared once as components and referenced from every route. */
const errorComponents = {
  400: ['BadRequest', 'The request is malformed (e.g. invalid JSON or cursor)'],
  401: ['Unauthenticated', 'Missing, invalid or expired credentials'],
  402: ['BudgetExceeded', 'A model budget is used up; `limit`, `spent` and `resets_at` name it'],
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

/** Response headers, declared once; see buildOpenApiDocument for where they are attached. */
const headerComponents = {
  'X-Request-Id': ['Identifies this request in logs; problems repeat it as `request_id`', 'req_01hv…'],
  'Retry-After': ['Seconds to wait before trying again', '29'],
  RateLimit: [
    'The limit that applied and what is left of it: name, remaining (`r`), seconds to reset (`t`)',
    '"login";r=0;t=29',
  ],
  'RateLimit-Policy': ['The limit itself: name, quota (`q`) per window of `w` seconds', '"login";q=5;w=60'],
  'Idempotent-Replayed': [
    '`true` when this is the stored response to an earlier request with the same `Idempotency-Key`',
    'true',
  ],
  ETag: ["The content's SHA-256, quoted", '"9f86d08…"'],
} as const;

const headerRef = (name: keyof typeof headerComponents) => ({ $ref: `#/components/headers/${name}` });

/** Header refs for a response, e.g. `ETag` on a download. */
export const responseHeaders = (...names: (keyof typeof headerComponents)[]) =>
  Object.fromEntries(names.map((name) => [name, headerRef(name)]));

export function registerOpenApiComponents(app: OpenAPIHono<never>) {
  app.openAPIRegistry.register('Problem', ProblemSchema);
  for (const [name, [description, example]] of Object.entries(headerComponents)) {
    app.openAPIRegistry.registerComponent('headers', name, {
      description,
      schema: { type: 'string', example },
    });
  }
  for (const [status, [name, description]] of Object.entries(errorComponents)) {
    const headers =
      status === '429'
        ? responseHeaders('X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy')
        : responseHeaders('X-Request-Id');
    app.openAPIRegistry.registerComponent('responses', name, {
      description,
      headers,
      content: problemContent,
    });
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

/** A path parameter holding an id; one that names nothing here is simply not found (404). */
export const pathId = (name: string, example: string) =>
  z
    .string()
    .max(64)
    .openapi({ param: { name, in: 'path' }, example });

/**
 * A query list given as `a,b` or repeated (`?status=a&status=b`): 1 to `max` items, each checked by
 * `item`. Required as it stands; add `.optional()` for a filter.
 */
export const commaList = <T extends z.ZodType>(item: T, max: number, description: string) =>
  z
    .preprocess(
      (v) =>
        v === undefined
          ? undefined
          : (Array.isArray(v) ? v : [v])
              .flatMap((s) => String(s).split(','))
              .map((s) => s.trim())
              .filter(Boolean),
      z.array(item).min(1).max(max),
    )
    .openapi({ description });
