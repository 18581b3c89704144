import { z } from '@hono/zod-openapi';
import { MEMORY_KINDS } from '../../db/schema';
import { searchMemory } from '../../domain/memory/search';
import { memoryStats } from '../../domain/memory/stats';
import { jsonResponse } from '../../http/openapi';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { isoOrNull } from '../../lib/time';
import { canRead, FilterSchema, MemoryEntrySchema, scopeOf, tags, toEntry } from './schemas';

const searchRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/memory/search',
  tags,
  operationId: 'searchMemory',
  summary: 'Full-text search over memory (BM25 ranking, best first) with highlighted snippets',
  description:
    'Each word of `q` is searched as a plain term (quotes, `*`, `NEAR`, `-` and other FTS syntax are ' +
    'just text); an entry matching any word is a candidate and those matching more, and rarer, words ' +
    'rank first. The last word also matches as a prefix.',
  access: canRead,
  request: {
    params: OrgParamsSchema,
    query: FilterSchema.extend({
      q: z.string().trim().min(1).max(500).openapi({ description: 'The words to look for' }),
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(50)
        .default(10)
        .openapi({ description: 'At most this many (1–50)' }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            entry: MemoryEntrySchema,
            score: z.number().openapi({ description: 'BM25 relevance; higher is better' }),
            snippet: z.string().openapi({
              description: 'The content around the best match, HTML-escaped, matches in `<mark>…</mark>`',
            }),
          }),
        ),
      }),
      'The best matches',
    ),
  },
});

const statsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/memory/stats',
  tags,
  operationId: 'getMemoryStats',
  summary: 'Memory figures: total, by kind, shared, by agent, and the latest entry’s time',
  access: canRead,
  request: { params: OrgParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({
        total: z.number().int(),
        by_kind: z.object(Object.fromEntries(MEMORY_KINDS.map((k) => [k, z.number().int()]))),
        shared: z.number().int().openapi({ description: 'Entries of no agent (shared knowledge)' }),
        by_agent: z.array(z.object({ agent_id: z.string(), count: z.number().int() })),
        latest_at: z.iso.datetime().nullable(),
      }),
      'The figures',
    ),
  },
});

export const memorySearchRouter = createRouter()
  .openapi(searchRoute, async (c) => {
    const q = c.req.valid('query');
    const hits = await searchMemory(c.var.ctx, q.q, scopeOf(q), q.limit);
    // SQLite's bm25 is negative, lower is better; the API speaks the usual way round.
    const data = hits.map((h) => ({ entry: toEntry(h.entry), score: -h.rank, snippet: h.snippet }));
    return c.json({ data }, 200);
  })
  .openapi(statsRoute, async (c) => {
    const s = await memoryStats(c.var.ctx);
    return c.json(
      {
        total: s.total,
        by_kind: s.byKind,
        shared: s.shared,
        by_agent: s.byAgent.map((a) => ({ agent_id: a.agentId, count: a.count })),
        latest_at: isoOrNull(s.latestAt),
      },
      200,
    );
  });
