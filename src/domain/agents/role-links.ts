import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mcpServers, modes, roleMcpServers, roleModes, roleSkills, skills } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import { commit } from '../commit';
import type { Ctx } from '../context';
import { getRoleRow } from './roles';

/** What can be assigned to a role, each with its link table and the table it points into. */
export const LINK_KINDS = {
  skill: { links: roleSkills, targets: skills, label: 'Skill' },
  mode: { links: roleModes, targets: modes, label: 'Mode' },
  mcp_server: { links: roleMcpServers, targets: mcpServers, label: 'MCP server' },
} as const;

export type LinkKind = keyof typeof LINK_KINDS;

export interface RoleLink {
  roleId: string;
  kind: LinkKind;
  targetId: string;
  name: string;
  enabled: boolean;
  /** MCP server links only: the server's tools wait for a person's approval. */
  requiresApproval?: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface LinkSettings {
  enabled: boolean;
  /** Only for MCP server links. */
  requiresApproval?: boolean;
}

export async function listRoleLinks(
  db: Db,
  orgId: string,
  roleId: string,
  kind: LinkKind,
): Promise<RoleLink[]> {
  await getRoleRow(db, orgId, roleId);
  const { links, targets } = LINK_KINDS[kind];
  const rows = await db
    .select({ link: links, name: targets.name })
    .from(links)
    .innerJoin(targets, eq(targets.id, links.targetId))
    .where(and(eq(links.orgId, orgId), eq(links.roleId, roleId)))
    .orderBy(asc(targets.name));
  return rows.map((r): RoleLink => ({ ...r.link, kind, name: r.name }));
}

async function targetName(db: Db, orgId: string, kind: LinkKind, targetId: string) {
  const { targets, label } = LINK_KINDS[kind];
  const [row] = await db
    .select({ name: targets.name })
    .from(targets)
    .where(and(eq(targets.orgId, orgId), eq(targets.id, targetId)))
    .limit(1);
  if (!row) throw notFound(label);
  return row.name;
}

/** Assigns (or re-toggles) a skill, mode or MCP server on a role; assigning twice is harmless. */
export async function setRoleLink(
  ctx: Ctx,
  orgId: string,
  roleId: string,
  kind: LinkKind,
  targetId: string,
  settings: LinkSettings,
): Promise<RoleLink> {
  await getRoleRow(ctx.db, orgId, roleId);
  const name = await targetName(ctx.db, orgId, kind, targetId);
  const { links } = LINK_KINDS[kind];
  const now = Date.now();
  const { enabled } = settings;
  // Only MCP links carry an approval switch; left out, an existing link keeps its own.
  const approval =
    kind === 'mcp_server' && settings.requiresApproval !== undefined
      ? { requiresApproval: settings.requiresApproval }
      : {};
  const [saved] = await commit(ctx.db, [
    ctx.db
      .insert(links)
      .values({ roleId, targetId, orgId, enabled, ...approval, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [links.roleId, links.targetId],
        set: { enabled, ...approval, updatedAt: now },
      })
      .returning(),
    activityInsert(ctx, {
      orgId,
      action: 'role.link_set',
      entityType: 'role',
      entityId: roleId,
      metadata: { kind, target_id: targetId, enabled, ...approval },
    }),
  ]);
  return { ...saved[0]!, kind, name };
}

export async function removeRoleLink(
  ctx: Ctx,
  orgId: string,
  roleId: string,
  kind: LinkKind,
  targetId: string,
) {
  await getRoleRow(ctx.db, orgId, roleId);
  const { links, label } = LINK_KINDS[kind];
  const match = and(eq(links.orgId, orgId), eq(links.roleId, roleId), eq(links.targetId, targetId));
  const [existing] = await ctx.db.select({ roleId: links.roleId }).from(links).where(match).limit(1);
  if (!existing) throw notFound(`${label} assignment`);
  await ctx.db.batch([
    ctx.db.delete(links).where(match),
    activityInsert(ctx, {
      orgId,
      action: 'role.link_removed',
      entityType: 'role',
      entityId: roleId,
      metadata: { kind, target_id: targetId },
    }),
  ]);
}
