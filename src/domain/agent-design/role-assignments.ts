import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { roleAssignments } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { assertRoleInOrg } from '../agents/agents';
import { publishAgentEvent } from '../agents/events';
import { assertAgentInOrg, assertProjectInOrg } from '../agents/shared';
import { commit } from '../commit';
import type { Ctx } from '../context';

export type RoleAssignmentRow = typeof roleAssignments.$inferSelect;

export interface AssignmentFilter {
  agentId?: string;
  roleId?: string;
  projectId?: string;
  createdBy?: string;
}

export async function getAssignment(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(roleAssignments)
    .where(and(eq(roleAssignments.orgId, orgId), eq(roleAssignments.id, id)))
    .limit(1);
  if (!row) throw notFound('Role assignment');
  return row;
}

/** Newest first; the cursor is the id of the last assignment seen. */
export function listAssignments(db: Db, orgId: string, f: AssignmentFilter, limit: number, before?: string) {
  return db
    .select()
    .from(roleAssignments)
    .where(
      and(
        eq(roleAssignments.orgId, orgId),
        f.agentId ? eq(roleAssignments.agentId, f.agentId) : undefined,
        f.roleId ? eq(roleAssignments.roleId, f.roleId) : undefined,
        f.projectId ? eq(roleAssignments.projectId, f.projectId) : undefined,
        f.createdBy ? eq(roleAssignments.createdBy, f.createdBy) : undefined,
        before ? lt(roleAssignments.id, before) : undefined,
      ),
    )
    .orderBy(desc(roleAssignments.id))
    .limit(limit + 1);
}

export async function assignRole(
  ctx: Ctx,
  orgId: string,
  input: { role_id: string; agent_id: string; project_id?: string | null },
): Promise<RoleAssignmentRow> {
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
    },
  );
  await publishAgentEvent(ctx.env, { orgId, agentId: row.agentId }, 'role.assigned', {
    assignment_id: row.id,
    role_id: row.roleId,
    project_id: row.projectId,
  });
  return row;
}

export async function unassignRole(ctx: Ctx, orgId: string, id: string) {
  const row = await getAssignment(ctx.db, orgId, id);
  await ctx.db.batch([
    ctx.db.delete(roleAssignments).where(and(eq(roleAssignments.orgId, orgId), eq(roleAssignments.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'role.unassigned',
      entityType: 'agent',
      entityId: row.agentId,
      metadata: { assignment_id: id, role_id: row.roleId, project_id: row.projectId },
    }),
  ]);
  await publishAgentEvent(ctx.env, { orgId, agentId: row.agentId }, 'role.unassigned', {
    assignment_id: id,
    role_id: row.roleId,
    project_id: row.projectId,
  });
}
