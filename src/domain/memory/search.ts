import { and, asc, desc, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { memoryEntries } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import type { OrgCtx } from '../context';
import { type MemoryEntry, type MemoryScope, scopeConditions } from './entries';

/**
 * The FTS5 index over memory content and tags (migrations/0010_memory.sql makes it and its
 * triggers); declared outside the drizzle-kit schema, only for typed queries. `rank` is bm25 with
 * a tag match weighing twice a content match; lower is better.
 */
const memoryFts = sqliteTable('memory_fts', {
  entryId: text('entry_id').notNull(),
  content: text('content').notNull(),
  tags: text('tags').notNull(),
  rank: real('rank').notNull(),
});

/** Enough words for any question; more would only slow the match. */
const MAX_QUERY_WORDS = 32;

/**
 * A person's or model's words as an FTS5 query that cannot be a syntax error (each word is a
 * quoted term, so `"`, `*`, `NEAR`, `-` or `:` are only text). Any word may match — recall is
 * asked in sentences — and BM25 ranks entries that match more, and rarer, words first; the last
 * word also matches as a prefix, so results follow typing.
 */
export function memoryMatch(q: string): string {
  const words = [...new Set(q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) {
    const message = 'Search needs at least one word';
    throw new ApiError('validation', message, { errors: [{ path: 'q', message }] });
  }
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(' OR ');
}

// Private-use characters mark matches inside SQLite, so the text around them can be escaped
// before the marks become <mark> tags: snippets are safe to render as HTML.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const highlight = (raw: string) => escapeHtml(raw).replaceAll(OPEN, '<mark>').replaceAll(CLOSE, '</mark>');

export interface MemoryHit {
  entry: MemoryEntry;
  /** BM25 (lower is better). */
  rank: number;
  /** Around the best match, HTML-escaped, matches wrapped in `<mark>`. */
  snippet: string;
}

/**
 * The best `limit` entries for an FTS5 query (`memoryMatch`) that meet `conditions`
 * (`scopeConditions`), best first (ties: newest first).
 */
export const hitsQuery = (db: Db, match: string | SQLWrapper, conditions: SQL[], limit: number) =>
  db
    .select({
      entry: memoryEntries,
      rank: memoryFts.rank,
      snippet: sql<string>`snippet(memory_fts, 1, ${OPEN}, ${CLOSE}, '…', 24)`,
    })
    .from(memoryFts)
    .innerJoin(memoryEntries, eq(memoryEntries.id, memoryFts.entryId))
    .where(and(sql`${memoryFts} MATCH ${match}`, ...conditions))
    .orderBy(asc(memoryFts.rank), desc(memoryEntries.id))
    .limit(limit);

export const toHits = (rows: Awaited<ReturnType<typeof hitsQuery>>) =>
  rows.map((r): MemoryHit => ({ entry: r.entry, rank: r.rank, snippet: highlight(r.snippet) }));

/** The best `limit` live entries for `q` in the organization's `scope`. */
export async function searchMemory(ctx: OrgCtx, q: string, scope: MemoryScope, limit: number) {
  const conditions = scopeConditions(ctx.orgId, scope, Date.now());
  return toHits(await hitsQuery(ctx.db, memoryMatch(q), conditions, limit));
}
