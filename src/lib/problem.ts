import { z } from '@hono/zod-openapi';
import { type ProblemKind, problemKinds, problemPath } from './errors';

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
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().optional().openapi({ example: 'email: Invalid email address' }),
    instance: z.string().optional().openapi({ example: '/api/v1/auth/register' }),
    request_id: z.string().openapi({ example: 'req_01HV…' }),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof ProblemSchema>;
