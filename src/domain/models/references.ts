import { and, eq, inArray, type SQLWrapper } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { agentRoles, agents, modelRoutingRules, orgModelSettings } from '../../db/schema';

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
