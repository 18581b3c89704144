import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { mcpServers, roleMcpServers } from '../../../db/schema';
import { getAgentRow } from '../../agents/shared';
import { getRoleRow } from '../roles';

/**
 * The MCP configuration a runtime consumes: the enabled servers (for a role, or an agent's
 * role: those assigned and enabled there). Header values stay in the vault; a runtime calls
 * tools through the platform, so it gets the header names and the call path instead.
 */
export async function mergedMcpConfig(db: Db, orgId: string, target: { roleId?: string; agentId?: string }) {
  let roleId = target.roleId;
  if (target.agentId) roleId = (await getAgentRow(db, orgId, target.agentId)).roleId ?? undefined;
  else if (roleId) await getRoleRow(db, orgId, roleId);
  const scoped = target.agentId !== undefined || target.roleId !== undefined;
  if (scoped && !roleId) return { roleId: null, servers: [] };
  const rows = roleId
    ? (
        await db
          .select({ server: mcpServers })
          .from(mcpServers)
          .innerJoin(
            roleMcpServers,
            and(eq(roleMcpServers.targetId, mcpServers.id), eq(roleMcpServers.roleId, roleId)),
          )
          .where(
            and(eq(mcpServers.orgId, orgId), eq(mcpServers.enabled, true), eq(roleMcpServers.enabled, true)),
          )
          .orderBy(asc(mcpServers.name))
      ).map((r) => r.server)
    : await db
        .select()
        .from(mcpServers)
        .where(and(eq(mcpServers.orgId, orgId), eq(mcpServers.enabled, true)))
        .orderBy(asc(mcpServers.name));
  return { roleId: roleId ?? null, servers: rows };
}
