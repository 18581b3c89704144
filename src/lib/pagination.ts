import { z } from '@hono/zod-openapi';
import { ApiError } from './errors';

export const MAX_PAGE_SIZE = 100;

export const PageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({
      description: `Items per page (1–${MAX_PAGE_SIZE})`,
    }),
  cursor: z.string().max(200).optional().openapi({ description: 'The `next_cursor` of the previous page' }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end' }),
  });

/** Cursors are opaque to clients; inside they are the sort key of the last item returned. */
export function encodeCursor(key: string): string {
  return btoa(key).replaceAll('=', '');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    return atob(cursor);
  } catch {
    throw new ApiError('bad_request', 'The cursor is not one this API issued');
  }
}

/** Rows were fetched with `limit + 1` to learn whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, key: (row: R) => string, map: (row: R) => T) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    next_cursor: more && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
