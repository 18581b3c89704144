import { and, desc, eq, gt, gte, isNull, lt, lte, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { IdRef } from '../../db/reads';
import { type MemoryKind, type MemorySource, memoryEntries } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertAgentInOrg, invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import type { PageRequest } from '../lookup';

export type MemoryEntry = typeof memoryEntries.$inferSelect;

export interface NewMemoryEntry {
  /** Null or left out: shared knowledge of the organization. */
  agentId?: string | null;
  kind: MemoryKind;
  content: string;
  tags?: string[];
  source?: MemorySource;
  expiresAt?: number | null;
}

export type MemoryPatch = Partial<Pick<NewMemoryEntry, 'kind' | 'content' | 'tags' | 'expiresAt'>>;

/** Which entries a list or search covers: one agent's, the shared ones, or both (neither given). */
export interface MemoryScope {
  agentId?: string;
  /** What one agent may read: its own entries and the shared ones. */
  visibleTo?: IdRef;
  /** true: only shared knowledge; false: only agents' own entries. */
  shared?: boolean;
  kind?: MemoryKind;
  /** Entries carrying every one of these tags. */
  tags?: string[];
  /** Created at or after / at or before (ms). */
  since?: number;
  until?: number;
}

/** An expired entry is as good as gone until housekeeping deletes it. */
export const live = (now: number | SQLWrapper) =>
  or(isNull(memoryEntries.expiresAt), gt(memoryEntries.expiresAt, now));

/** Tags are kept lower-case and unique, so filters and the index match however they were typed. */
export const normalTags = (tags: string[]) => [...new Set(tags.map((t) => t.trim().toLowerCase()))];

export function scopeConditions(orgId: IdRef, s: MemoryScope, now: number | SQLWrapper): SQL[] {
  const conditions: (SQL | undefined)[] = [
    eq(memoryEntries.orgId, orgId),
    live(now),
    s.agentId !== undefined ? eq(memoryEntries.agentId, s.agentId) : undefined,
    s.visibleTo !== undefined
      ? or(eq(memoryEntries.agentId, s.visibleTo), isNull(memoryEntries.agentId))
      : undefined,
    s.shared === true ? isNull(memoryEntries.agentId) : undefined,
    s.shared === false ? sql`${memoryEntries.agentId} IS NOT NULL` : undefined,
    s.kind !== undefined ? eq(memoryEntries.kind, s.kind) : undefined,
    s.since !== undefined ? gte(memoryEntries.createdAt, s.since) : undefined,
    s.until !== undefined ? lte(memoryEntries.createdAt, s.until) : undefined,
    ...normalTags(s.tags ?? []).map(
      (tag) => sql`EXISTS (SELECT 1 FROM json_each(${memoryEntries.tags}) WHERE value = ${tag})`,
    ),
  ];
  return conditions.filter((c): c is SQL => c !== undefined);
}

export async function getMemoryEntry(db: Db, orgId: string, id: string, now = Date.now()) {
  const [row] = await db
    .select()
    .from(memoryEntries)
    .where(and(eq(memoryEntries.orgId, orgId), eq(memoryEntries.id, id), live(now)))
    .limit(1);
  if (!row) throw notFound('Memory entry');
  return row;
}

/** Newest first; the cursor is the id of the last entry of the previous page. */
export function listMemoryEntries(ctx: OrgCtx, scope: MemoryScope, page: PageRequest) {
  return ctx.db
    .select()
    .from(memoryEntries)
    .where(
      and(
        ...scopeConditions(ctx.orgId, scope, Date.now()),
        page.after ? lt(memoryEntries.id, page.after) : undefined,
      ),
    )
    .orderBy(desc(memoryEntries.id))
    .limit(page.limit + 1);
}

/** An expiry already past would make an entry that is never seen. */
function assertFuture(expiresAt: number | null | undefined, now: number) {
  if (expiresAt != null && expiresAt <= now) throw invalid('expires_at', 'Must be in the future');
}

export async function createMemoryEntry(ctx: OrgCtx, input: NewMemoryEntry): Promise<MemoryEntry> {
  const now = Date.now();
  assertFuture(input.expiresAt, now);
  if (input.agentId) await assertAgentInOrg(ctx.db, ctx.orgId, input.agentId);
  const row: MemoryEntry = {
    id: newId('mem', now),
    orgId: ctx.orgId,
    agentId: input.agentId ?? null,
    kind: input.kind,
    content: input.content,
    tags: normalTags(input.tags ?? []),
    source: input.source ?? 'manual',
    expiresAt: input.expiresAt ?? null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(memoryEntries).values(row),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'memory.created',
        entityType: 'memory_entry',
        entityId: row.id,
        metadata: { agent_id: row.agentId, kind: row.kind, source: row.source },
      }),
    ],
    { foreignKey: 'The agent was deleted at the same time; reload and retry' },
  );
  return row;
}

/** A person corrects what an agent remembered: content, kind, tags or expiry. */
export async function updateMemoryEntry(ctx: OrgCtx, id: string, patch: MemoryPatch) {
  assertFuture(patch.expiresAt, Date.now());
  const row = await getMemoryEntry(ctx.db, ctx.orgId, id);
  const changes: Partial<MemoryEntry> = {
    ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
    ...(patch.content !== undefined ? { content: patch.content } : {}),
    ...(patch.tags !== undefined ? { tags: normalTags(patch.tags) } : {}),
    ...(patch.expiresAt !== undefined ? { expiresAt: patch.expiresAt } : {}),
  };
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(memoryEntries)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(memoryEntries.orgId, ctx.orgId), eq(memoryEntries.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'memory.updated',
      entityType: 'memory_entry',
      entityId: id,
      metadata: { agent_id: row.agentId, changed: Object.keys(patch) },
    }),
  ]);
  return { ...row, ...changes, updatedAt: now };
}

export async function deleteMemoryEntry(ctx: OrgCtx, id: string) {
  const row = await getMemoryEntry(ctx.db, ctx.orgId, id);
  await ctx.db.batch([
    ctx.db.delete(memoryEntries).where(and(eq(memoryEntries.orgId, ctx.orgId), eq(memoryEntries.id, id))),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'memory.deleted',
      entityType: 'memory_entry',
      entityId: id,
      metadata: { agent_id: row.agentId, kind: row.kind },
    }),
  ]);
}

/** Housekeeping: expired entries go (their index rows with them, by trigger). */
export const purgeExpiredMemory = (db: Db, now: number) =>
  db
    .delete(memoryEntries)
    .where(sql`${memoryEntries.expiresAt} IS NOT NULL AND ${memoryEntries.expiresAt} <= ${now}`);
