import { z } from '@hono/zod-openapi';

/** The `{orgId}` of every organization-scoped path. */
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
