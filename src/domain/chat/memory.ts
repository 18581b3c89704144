import { known, prepared, type Read, read } from '../../db/reads';
import type { OrgCtx } from '../context';
import { scopeConditions } from '../memory/entries';
import { hitsQuery, memoryMatch, toHits } from '../memory/search';
import { sessionAgent } from './sessions';

const RECALLED = 5;

/** The session's agent's own and the shared entries that best match a message (prepared). */
const recall = prepared(['orgId', 'sessionId', 'match', 'now'], (db, p) => {
  const scope = { visibleTo: sessionAgent(db, p.orgId, p.sessionId) };
  return hitsQuery(db, p.match, scopeConditions(p.orgId, scope, p.now), RECALLED);
});

/**
 * What memory recalls for a message in a session (BM25), as prompt text; nothing when the message
 * has no searchable words.
 */
export function recallForSession(ctx: OrgCtx, sessionId: string, text: string): Read<string> {
  let match: string;
  try {
    match = memoryMatch(text);
  } catch {
    return known('');
  }
  return read(recall(ctx.db, { orgId: ctx.orgId, sessionId, match, now: Date.now() }), (rows) =>
    toHits(rows)
      .map((h) => `- (${h.entry.kind}) ${h.entry.content}`)
      .join('\n'),
  );
}
