import { type IdRef, known, mapRead, type Read } from '../../db/reads';
import type { OrgCtx } from '../context';
import { memoryMatch, memorySearch } from '../memory/search';

const RECALLED = 5;

/**
 * The agent's own and the shared memory entries that best match the message (BM25), as prompt
 * text; nothing when the message has no searchable words.
 */
export function recallForMessage(ctx: OrgCtx, agentId: IdRef, text: string): Read<string> {
  try {
    memoryMatch(text);
  } catch {
    return known('');
  }
  return mapRead(memorySearch(ctx, text, { visibleTo: agentId }, RECALLED), (hits) =>
    hits.map((h) => `- (${h.entry.kind}) ${h.entry.content}`).join('\n'),
  );
}
