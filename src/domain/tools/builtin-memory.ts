import { z } from 'zod';
import { MEMORY_KINDS } from '../../db/schema/memory';
import { DAY } from '../../lib/time';
import { createMemoryEntry } from '../memory/entries';
import { searchMemory } from '../memory/search';
import type { BuiltinCall, ToolCaller } from './types';

export const RememberArgs = z
  .object({
    content: z.string().trim().min(1).max(4000).describe('What to remember, as a self-contained sentence'),
    kind: z.enum(MEMORY_KINDS).default('fact').describe('fact, preference, event or note'),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).optional().describe('Short topic words'),
    shared: z
      .boolean()
      .default(false)
      .describe('true: shared knowledge every agent of the organization can recall'),
    expires_in_days: z.number().int().min(1).max(3650).optional().describe('Forget it after this many days'),
  })
  .strict();

export const RecallArgs = z
  .object({
    query: z.string().trim().min(1).max(500).describe('Words to look for in memory'),
    kind: z.enum(MEMORY_KINDS).optional(),
    limit: z.number().int().min(1).max(20).default(5),
  })
  .strict();

const sourceOf = (caller: ToolCaller) => (caller.chatSessionId ? 'chat' : caller.runId ? 'run' : 'manual');

export async function remember(call: BuiltinCall, args: z.infer<typeof RememberArgs>) {
  const entry = await createMemoryEntry(call.ctx, {
    agentId: args.shared ? null : call.agentId,
    kind: args.kind,
    content: args.content,
    tags: args.tags,
    source: sourceOf(call.caller),
    expiresAt: args.expires_in_days ? Date.now() + args.expires_in_days * DAY : null,
  });
  return { id: entry.id, kind: entry.kind, shared: entry.agentId === null, tags: entry.tags };
}

/** The agent's own entries and the shared ones, best match first. */
export async function recall(call: BuiltinCall, args: z.infer<typeof RecallArgs>) {
  const hits = await searchMemory(
    call.ctx,
    args.query,
    { visibleTo: call.agentId, kind: args.kind },
    args.limit,
  );
  return {
    entries: hits.map(({ entry }) => ({
      id: entry.id,
      kind: entry.kind,
      content: entry.content,
      tags: entry.tags,
      shared: entry.agentId === null,
      created_at: new Date(entry.createdAt).toISOString(),
    })),
  };
}
