import { real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ApiError } from '../../lib/errors';

/**
 * The FTS5 index over ticket titles and descriptions (migrations/0002_work.sql makes it and its
 * triggers). Declared here, outside the schema that drizzle-kit reads, only for typed queries.
 * `rank` is bm25 with a title match weighing 10 times a description match; lower is better.
 */
export const ticketsFts = sqliteTable('tickets_fts', {
  ticketId: text('ticket_id').notNull(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  rank: real('rank').notNull(),
});

/**
 * A user's words as an FTS5 query that cannot be a syntax error: each word quoted, all
 * required, the last one also matching as a prefix (so results follow typing).
 */
export function matchExpression(q: string): string {
  const words = q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) {
    const message = 'Search needs at least one word';
    throw new ApiError('validation', message, { errors: [{ path: 'q', message }] });
  }
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(' ');
}
