import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agents } from '../../db/schema';
import { ApiError } from '../../lib/errors';
import { type ActivityInput, activityInsertOrAbort } from '../activity/record';
import type { Ctx } from '../context';
import { getInOrg } from '../lookup';
import { findProject } from '../work/projects';

/** A 422 about one field, for checks that need the database (e.g. a referenced id). */
export const invalid = (path: string, message: string) =>
  new ApiError('validation', `${path}: ${message}`, { errors: [{ path, message }] });

/** A LIKE pattern matching `text` anywhere, with its wildcards escaped (use with ESCAPE '\'). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Another organization's agent is not found, exactly like a missing one. */
export const getAgentRow = (db: Db, orgId: string, agentId: string) =>
  getInOrg(db, agents, 'Agent', orgId, agentId);

export type AgentRow = Awaited<ReturnType<typeof getAgentRow>>;

/** An agent id given in a body must name an agent of the organization. */
export async function assertAgentInOrg(db: Db, orgId: string, agentId: string, path = 'agent_id') {
  const [row] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.orgId, orgId), eq(agents.id, agentId)))
    .limit(1);
  if (!row) throw invalid(path, 'No such agent in this organization');
}

/** A project id given in a body must name a project of the organization. */
export async function assertProjectInOrg(db: Db, orgId: string, projectId: string, path = 'project_id') {
  if (!(await findProject(db, orgId, projectId))) throw invalid(path, 'No such project in this organization');
}

/** The agent's status change landed: the row is at the status version it set. */
export const guardedAgentActivity = (ctx: Ctx, input: ActivityInput, statusVersion: number) =>
  activityInsertOrAbort(
    ctx,
    input,
    sql`EXISTS (SELECT 1 FROM ${agents} WHERE ${agents.id} = ${input.entityId} AND ${agents.statusVersion} = ${statusVersion})`,
  );
