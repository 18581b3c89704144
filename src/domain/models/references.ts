import { and, eq, inArray, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { agentRoles, agents, modelRoutingRules, models, orgModelSettings } from '../../db/schema';
import { invalid } from '../agents/shared';
import type { OrgCtx } from '../context';
import { DEV_MODEL_ID, devModelEnabled } from './registry';

type ModelIds = SQLWrapper | string[];

const within = (column: SQLiteColumn, ids: ModelIds) => inArray(column, ids);

/**
 * Statements that forget models about to be deleted, for the same batch as the delete: the
 * default, routing rules, and agents' and roles' choices. (Model references carry no foreign key
 * because the built-in `dev` model has no row; fallback lists skip missing models when read.)
 */
export function clearModelReferences(db: Db, orgId: string, ids: ModelIds) {
  return [
    db
      .update(orgModelSettings)
      .set({ defaultModelId: null, updatedAt: Date.now() })
      .where(and(eq(orgModelSettings.orgId, orgId), within(orgModelSettings.defaultModelId, ids))),
    db
      .delete(modelRoutingRules)
      .where(and(eq(modelRoutingRules.orgId, orgId), within(modelRoutingRules.modelId, ids))),
    db
      .update(agents)
      .set({ modelId: null })
      .where(and(eq(agents.orgId, orgId), within(agents.modelId, ids))),
    db
      .update(agentRoles)
      .set({ modelId: null })
      .where(and(eq(agentRoles.orgId, orgId), within(agentRoles.modelId, ids))),
  ] as const;
}

/**
 * Model ids given in a body (routing rules, an agent's or a role's model) must name models of the
 * organization, or the development model where it exists. Another organization's model reads as
 * missing, so the answer does not tell it exists.
 */
export async function assertModelIds(ctx: OrgCtx, ids: string[], path: string): Promise<void> {
  const stored = [...new Set(ids)].filter((id) => id !== DEV_MODEL_ID || !devModelEnabled(ctx.env));
  if (stored.length === 0) return;
  const found = await ctx.db
    .select({ id: models.id })
    .from(models)
    .where(and(eq(models.orgId, ctx.orgId), inArray(models.id, stored)));
  const missing = stored.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw invalid(path, `No such model in this organization: ${missing.join(', ')}`);
}
