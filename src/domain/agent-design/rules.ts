import { and, desc, eq, isNotNull, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { IdRef } from '../../db/reads';
import { agentRules } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertAgentInOrg } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';

export type RuleRow = typeof agentRules.$inferSelect;

export interface RuleFilter {
  /** Rules for this agent: its own and the universal ones. */
  agentId?: string;
  /** `all`: only universal rules; `agent`: only agent-scoped ones. */
  scope?: 'all' | 'agent';
  category?: string;
  permanent?: boolean;
}

export const getRule = (ctx: OrgCtx, id: string) => getInOrg(ctx.db, agentRules, 'Rule', ctx.orgId, id);

/** An agent's own rules and the universal ones. */
const appliesTo = (agentId: IdRef) => or(eq(agentRules.agentId, agentId), isNull(agentRules.agentId));

/** Newest first. */
export function listRules(ctx: OrgCtx, f: RuleFilter, page: PageRequest) {
  const where = and(
    f.agentId ? appliesTo(f.agentId) : undefined,
    f.scope === 'all' ? isNull(agentRules.agentId) : undefined,
    f.scope === 'agent' ? isNotNull(agentRules.agentId) : undefined,
    f.category ? eq(agentRules.category, f.category) : undefined,
    f.permanent !== undefined ? eq(agentRules.permanent, f.permanent) : undefined,
  );
  return pageInOrg(ctx.db, agentRules, ctx.orgId, page, where, { desc: true });
}

/** The newest `limit` rules that apply to an agent. */
export const rulesQuery = (db: Db, orgId: IdRef, agentId: IdRef, limit: number) =>
  db
    .select()
    .from(agentRules)
    .where(and(eq(agentRules.orgId, orgId), appliesTo(agentId)))
    .orderBy(desc(agentRules.id))
    .limit(limit);

export interface RuleInput {
  rule: string;
  agent_id?: string | null;
  category?: string;
  permanent?: boolean;
}

export async function createRule(ctx: OrgCtx, input: RuleInput): Promise<RuleRow> {
  const { orgId } = ctx;
  if (input.agent_id) await assertAgentInOrg(ctx.db, orgId, input.agent_id);
  const now = Date.now();
  const row: RuleRow = {
    id: newId('rul', now),
    orgId,
    agentId: input.agent_id ?? null,
    category: input.category ?? 'general',
    rule: input.rule,
    permanent: input.permanent ?? false,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(ctx.db, [
    ctx.db.insert(agentRules).values(row),
    activityInsert(ctx, {
      orgId,
      action: 'rule.created',
      entityType: 'rule',
      entityId: row.id,
      metadata: { agent_id: row.agentId, category: row.category, permanent: row.permanent },
    }),
  ]);
  return row;
}

/** Text, category and scope may change; permanence is set once, at creation. */
export async function updateRule(
  ctx: OrgCtx,
  id: string,
  input: { rule?: string; category?: string; agent_id?: string | null },
) {
  const { orgId } = ctx;
  const row = await getRule(ctx, id);
  if (input.agent_id) await assertAgentInOrg(ctx.db, orgId, input.agent_id);
  const changes: Partial<RuleRow> = {
    ...(input.rule !== undefined ? { rule: input.rule } : {}),
    ...(input.category !== undefined ? { category: input.category } : {}),
    ...(input.agent_id !== undefined ? { agentId: input.agent_id } : {}),
  };
  const now = Date.now();
  await commit(ctx.db, [
    ctx.db
      .update(agentRules)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(agentRules.orgId, orgId), eq(agentRules.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'rule.updated',
      entityType: 'rule',
      entityId: id,
      metadata: { changed: Object.keys(input) },
    }),
  ]);
  return { ...row, ...changes, updatedAt: now };
}

export async function deleteRule(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getRule(ctx, id);
  if (row.permanent) throw conflict('The rule is permanent and cannot be deleted');
  await ctx.db.batch([
    ctx.db.delete(agentRules).where(and(eq(agentRules.orgId, orgId), eq(agentRules.id, id))),
    activityInsert(ctx, { orgId, action: 'rule.deleted', entityType: 'rule', entityId: id }),
  ]);
}
