import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { activityLog, agents } from '../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { ActivityInput } from '../activity/record';
import type { Ctx } from '../context';

/** D1 reports constraint failures in the message of the error or of its cause. */
export function isConstraint(err: unknown, kind: 'UNIQUE' | 'NOT NULL') {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes(`${kind} constraint failed`)) return true;
  }
  return false;
}

/** A 422 about one field, for checks that need the database (e.g. a referenced id). */
export const invalid = (path: string, message: string) =>
  new ApiError('validation', `${path}: ${message}`, { errors: [{ path, message }] });

/** A LIKE pattern matching `text` anywhere, with its wildcards escaped (use with ESCAPE '\'). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Another organization's agent is not found, exactly like a missing one. */
export async function getAgentRow(db: Db, orgId: string, agentId: string) {
  const [row] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.orgId, orgId), eq(agents.id, agentId)))
    .limit(1);
  if (!row) throw notFound('Agent');
  return row;
}

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

/**
 * An activity entry written only if `guard` holds once the statements before it in the same
 * batch have run: otherwise its organization is NULL, the NOT NULL constraint fails and the whole
 * batch rolls back. D1 has no interactive transactions; this makes "change if still X, and log
 * it" one atomic step.
 */
export function activityInsertWhen(ctx: Ctx, input: ActivityInput, guard: SQL) {
  return ctx.db.insert(activityLog).values({
    id: newId('act'),
    orgId: sql`(SELECT ${input.orgId} WHERE ${guard})`,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    metadata: input.metadata ?? {},
    ip: ctx.ip,
    createdAt: Date.now(),
  });
}

/** The agent's status change landed: the row is at the status version it set. */
export const guardedAgentActivity = (ctx: Ctx, input: ActivityInput, statusVersion: number) =>
  activityInsertWhen(
    ctx,
    input,
    sql`EXISTS (SELECT 1 FROM ${agents} WHERE ${agents.id} = ${input.entityId} AND ${agents.statusVersion} = ${statusVersion})`,
  );
