import { z } from '@hono/zod-openapi';
import { type ProblemKind, problemKinds, problemPath } from '../lib/errors';

const problemSlugs = (Object.keys(problemKinds) as ProblemKind[]).map((kind) =>
  problemPath(kind).replace('/problems/', ''),
);

export const FieldErrorSchema = z.object({
  path: z.string().openapi({ example: 'email' }),
  message: z.string().openapi({ example: 'Invalid email address' }),
});

/** RFC 9457 problem details, the one error shape of the API. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({
      description:
        'The URL of a page on this server that explains the problem: `/problems/<kind>`, one of ' +
        `${problemSlugs.map((slug) => `\`${slug}\``).join(', ')}. \`/problems\` lists them all.`,
      example: 'https://foreman.example/problems/validation',
    }),
    title: z.string().openapi({
      description: 'A short summary of the problem type; the same for every occurrence',
      example: 'Validation failed',
    }),
    status: z.number().int().openapi({ description: 'The HTTP status code, repeated', example: 422 }),
    detail: z.string().optional().openapi({
      description: 'What went wrong this time, in words a person can act on',
      example: 'email: Invalid email address',
    }),
    instance: z
      .string()
      .optional()
      .openapi({ description: 'The path of the request that failed', example: '/api/v1/auth/register' }),
    request_id: z.string().openapi({
      description: 'The id of the request (also in `X-Request-Id`); quote it when reporting a problem',
      example: 'req_01HV…',
    }),
    errors: z
      .array(FieldErrorSchema)
      .optional()
      .openapi({ description: 'For validation problems: each field that failed and why' }),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof ProblemSchema>;
