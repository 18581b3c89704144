import { and, asc, count, desc, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AgentStatus, agentRoles, agents, agentTags, roleAssignments } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { assertModelIds } from '../models/references';
import { agentEvent, agentRetired } from './events';
import { type AgentRow, containsPattern, getAgentRow, invalid } from './shared';

export interface AgentInput {
  name: string;
  display_name?: string;
  description?: string | null;
  role_id?: string | null;
  model?: string | null;
  /** A model of the registry (see models/resolve): the gateway uses it for this agent. */
  model_id?: string | null;
  tags?: string[];
  config?: Record<string, unknown>;
  emoji?: string | null;
  color?: string | null;
}

export interface AgentFilter {
  status?: AgentStatus[];
  tag?: string;
  roleId?: string;
  projectId?: string;
  q?: string;
}

const nameTaken = (name: string) => conflict(`An agent named "${name}" already exists in this organization`);

/** A role given for an agent (or template) must be one of the organization's roles. */
export async function assertRoleInOrg(db: Db, orgId: string, roleId: string, path = 'role_id') {
  const [row] = await db
    .select({ id: agentRoles.id })
    .from(agentRoles)
    .where(and(eq(agentRoles.orgId, orgId), eq(agentRoles.id, roleId)))
    .limit(1);
  if (!row) throw invalid(path, 'No such role in this organization');
}

const tagRows = (orgId: string, agentId: string, tags: string[]) =>
  tags.map((tag) => ({ agentId, orgId, tag }));

export async function createAgent(
  ctx: OrgCtx,
  input: AgentInput,
  extra: { templateId?: string } = {},
): Promise<AgentRow> {
  const { orgId } = ctx;
  if (input.role_id) await assertRoleInOrg(ctx.db, orgId, input.role_id);
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  const now = Date.now();
  const tags = input.tags ?? [];
  const agent: AgentRow = {
    id: newId('agt', now),
    orgId,
    name: input.name,
    displayName: input.display_name ?? input.name,
    description: input.description ?? null,
    roleId: input.role_id ?? null,
    model: input.model ?? null,
    modelId: input.model_id ?? null,
    tags,
    config: input.config ?? {},
    emoji: input.emoji ?? null,
    color: input.color ?? null,
    status: 'idle',
    statusVersion: 0,
    statusChangedAt: now,
    currentTask: null,
    lastHeartbeatAt: null,
    templateId: extra.templateId ?? null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  const { db } = ctx;
  await commit(
    db,
    [
      db.insert(agents).values(agent),
      ...(tags.length > 0 ? [db.insert(agentTags).values(tagRows(orgId, agent.id, tags))] : []),
      activityInsert(ctx, {
        orgId,
        action: 'agent.created',
        entityType: 'agent',
        entityId: agent.id,
        metadata: { name: agent.name, template_id: agent.templateId },
      }),
    ],
    {
      unique: () => nameTaken(input.name),
      events: [
        agentEvent(ctx.env, { orgId, agentId: agent.id }, 'agent.created', {
          name: agent.name,
          display_name: agent.displayName,
          role_id: agent.roleId,
          model: agent.model,
          tags: agent.tags,
          status: agent.status,
        }),
      ],
    },
  );
  return agent;
}

function where(orgId: string, f: AgentFilter) {
  return and(
    eq(agents.orgId, orgId),
    f.status && f.status.length > 0 ? inArray(agents.status, f.status) : undefined,
    f.roleId ? eq(agents.roleId, f.roleId) : undefined,
    f.tag
      ? sql`EXISTS (SELECT 1 FROM ${agentTags} WHERE ${agentTags.agentId} = ${agents.id} AND ${agentTags.tag} = ${f.tag})`
      : undefined,
    f.projectId
      ? sql`EXISTS (SELECT 1 FROM ${roleAssignments} WHERE ${roleAssignments.agentId} = ${agents.id} AND ${roleAssignments.projectId} = ${f.projectId})`
      : undefined,
    f.q
      ? or(
          like(agents.name, sql`${containsPattern(f.q.toLowerCase())} ESCAPE '\\'`),
          sql`lower(${agents.displayName}) LIKE ${containsPattern(f.q.toLowerCase())} ESCAPE '\\'`,
          sql`lower(coalesce(${agents.description}, '')) LIKE ${containsPattern(f.q.toLowerCase())} ESCAPE '\\'`,
        )
      : undefined,
  );
}

/** Ordered by name, which the (org_id, name) unique index serves; the cursor is the last name. */
export function listAgents(ctx: OrgCtx, f: AgentFilter, page: PageRequest) {
  return pageInOrg(ctx.db, agents, ctx.orgId, page, where(ctx.orgId, f), { by: 'name' });
}

export async function updateAgent(
  ctx: OrgCtx,
  agentId: string,
  input: Partial<AgentInput>,
): Promise<AgentRow> {
  const { orgId } = ctx;
  const current = await getAgentRow(ctx.db, orgId, agentId);
  if (input.role_id) await assertRoleInOrg(ctx.db, orgId, input.role_id);
  if (input.model_id) await assertModelIds(ctx, [input.model_id], 'model_id');
  const changes: Partial<AgentRow> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.display_name !== undefined ? { displayName: input.display_name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.role_id !== undefined ? { roleId: input.role_id } : {}),
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(input.model_id !== undefined ? { modelId: input.model_id } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
    ...(input.config !== undefined ? { config: input.config } : {}),
    ...(input.emoji !== undefined ? { emoji: input.emoji } : {}),
    ...(input.color !== undefined ? { color: input.color } : {}),
  };
  const changed = Object.keys(input).filter((k) => input[k as keyof AgentInput] !== undefined);
  const now = Date.now();
  const { db } = ctx;
  await commit(
    db,
    [
      db
        .update(agents)
        .set({ ...changes, updatedAt: now })
        .where(and(eq(agents.orgId, orgId), eq(agents.id, agentId))),
      ...(input.tags !== undefined
        ? [
            db.delete(agentTags).where(eq(agentTags.agentId, agentId)),
            ...(input.tags.length > 0
              ? [db.insert(agentTags).values(tagRows(orgId, agentId, input.tags))]
              : []),
          ]
        : []),
      activityInsert(ctx, {
        orgId,
        action: 'agent.updated',
        entityType: 'agent',
        entityId: agentId,
        metadata: { name: input.name ?? current.name, changed },
      }),
    ],
    {
      unique: () => (input.name !== undefined ? nameTaken(input.name) : undefined),
      events: [agentEvent(ctx.env, { orgId, agentId }, 'agent.updated', { changed })],
    },
  );
  return { ...current, ...changes, updatedAt: now };
}

/**
 * Deletes the agent (foreign keys take its tags, role assignments and agent-scoped rules); its hub publishes
 * `agent.deleted` (so the organization stream sees it), closes its subscribers and empties.
 */
export async function deleteAgent(ctx: OrgCtx, agentId: string) {
  const { orgId } = ctx;
  const agent = await getAgentRow(ctx.db, orgId, agentId);
  const { db } = ctx;
  await commit(
    db,
    [
      db.delete(agents).where(and(eq(agents.orgId, orgId), eq(agents.id, agentId))),
      activityInsert(ctx, {
        orgId,
        action: 'agent.deleted',
        entityType: 'agent',
        entityId: agentId,
        metadata: { name: agent.name },
      }),
    ],
    {
      events: [
        agentRetired(ctx.env, { orgId, agentId }, { type: 'agent.deleted', payload: { name: agent.name } }),
      ],
    },
  );
}

/** Every tag in use in the organization, with how many agents carry it, most used first. */
export function tagCounts(db: Db, orgId: string) {
  return db
    .select({ tag: agentTags.tag, count: count() })
    .from(agentTags)
    .where(eq(agentTags.orgId, orgId))
    .groupBy(agentTags.tag)
    .orderBy(desc(count()), asc(agentTags.tag));
}

/** Agents carrying any of `tags`, ranked by how many they carry (then by name). */
export async function matchAgentsByTags(db: Db, orgId: string, tags: string[], limit: number) {
  const score = count().as('score');
  const ranked = db
    .select({
      agentId: agentTags.agentId,
      score,
      matched: sql<string>`json_group_array(${agentTags.tag})`.as('matched'),
    })
    .from(agentTags)
    .where(and(eq(agentTags.orgId, orgId), inArray(agentTags.tag, tags)))
    .groupBy(agentTags.agentId)
    .as('ranked');
  const rows = await db
    .select({ agent: agents, score: ranked.score, matched: ranked.matched })
    .from(ranked)
    .innerJoin(agents, eq(agents.id, ranked.agentId))
    .orderBy(desc(ranked.score), asc(agents.name))
    .limit(limit);
  return rows.map((r) => ({
    agent: r.agent,
    score: r.score,
    matched: (JSON.parse(r.matched) as string[]).sort(),
  }));
}
