import type { OrgCtx } from '../context';
import { memoryMatch, searchMemory } from '../memory/search';

const RECALLED = 5;

/**
 * The agent's own and the shared memory entries that best match the message (BM25), as prompt
 * text; nothing when the message has no searchable words.
 */
export async function recallForMessage(ctx: OrgCtx, agentId: string, text: string): Promise<string> {
  try {
    memoryMatch(text);
  } catch {
    return '';
  }
  const hits = await searchMemory(ctx, text, { visibleTo: agentId }, RECALLED);
  return hits.map((h) => `- (${h.entry.kind}) ${h.entry.content}`).join('\n');
}
