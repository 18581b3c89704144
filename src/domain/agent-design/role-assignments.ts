import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { roleAssignments } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertRoleInOrg } from '../agents/agents';
import { agentEvent } from '../agents/events';
import { assertAgentInOrg, assertProjectInOrg } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';

export type RoleAssignmentRow = typeof roleAssignments.$inferSelect;

export interface AssignmentFilter {
  agentId?: string;
  roleId?: string;
  projectId?: string;
  createdBy?: string;
}

export const getAssignment = (db: Db, orgId: string, id: string) =>
  getInOrg(db, roleAssignments, 'Role assignment', orgId, id);

/** Newest first; the cursor is the id of the last assignment seen. */
export function listAssignments(ctx: OrgCtx, f: AssignmentFilter, page: PageRequest) {
  const where = and(
    f.agentId ? eq(roleAssignments.agentId, f.agentId) : undefined,
    f.roleId ? eq(roleAssignments.roleId, f.roleId) : undefined,
    f.projectId ? eq(roleAssignments.projectId, f.projectId) : undefined,
    f.createdBy ? eq(roleAssignments.createdBy, f.createdBy) : undefined,
  );
  return pageInOrg(ctx.db, roleAssignments, ctx.orgId, page, where, { desc: true });
}

export async function assignRole(
  ctx: OrgCtx,
  input: { role_id: string; agent_id: string; project_id?: string | null },
): Promise<RoleAssignmentRow> {
  const { orgId } = ctx;
  await assertRoleInOrg(ctx.db, orgId, input.role_id);
  await assertAgentInOrg(ctx.db, orgId, input.agent_id);
  if (input.project_id) await assertProjectInOrg(ctx.db, orgId, input.project_id);
  const row: RoleAssignmentRow = {
    id: newId('ras'),
    orgId,
    roleId: input.role_id,
    agentId: input.agent_id,
    projectId: input.project_id ?? null,
    createdBy: ctx.actor.id,
    createdAt: Date.now(),
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(roleAssignments).values(row),
      activityInsert(ctx, {
        orgId,
        action: 'role.assigned',
        entityType: 'agent',
        entityId: row.agentId,
        metadata: { assignment_id: row.id, role_id: row.roleId, project_id: row.projectId },
      }),
    ],
    {
      unique: () =>
        conflict(
          `The role is already assigned to this agent ${row.projectId ? 'in this project' : 'in every project'}`,
        ),
      events: [
        agentEvent(ctx.env, { orgId, agentId: row.agentId }, 'role.assigned', {
          assignment_id: row.id,
          role_id: row.roleId,
          project_id: row.projectId,
        }),
      ],
    },
  );
  return row;
}

export async function unassignRole(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getAssignment(ctx.db, orgId, id);
  await commit(
    ctx.db,
    [
      ctx.db.delete(roleAssignments).where(and(eq(roleAssignments.orgId, orgId), eq(roleAssignments.id, id))),
      activityInsert(ctx, {
        orgId,
        action: 'role.unassigned',
        entityType: 'agent',
        entityId: row.agentId,
        metadata: { assignment_id: id, role_id: row.roleId, project_id: row.projectId },
      }),
    ],
    {
      events: [
        agentEvent(ctx.env, { orgId, agentId: row.agentId }, 'role.unassigned', {
          assignment_id: id,
          role_id: row.roleId,
          project_id: row.projectId,
        }),
      ],
    },
  );
}
