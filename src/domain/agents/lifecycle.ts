import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AgentStatus, agents } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError, conflict } from '../../lib/errors';
import { MINUTE } from '../../lib/time';
import { commit } from '../commit';
import type { Ctx, OrgCtx } from '../context';
import { agentEvent } from './events';
import { type AgentRow, getAgentRow, guardedAgentActivity } from './shared';

/** The lifecycle commands, each allowed from some states and leading to one. */
export const LIFECYCLE = {
  start: { from: ['stopped', 'offline', 'error'], to: 'idle' },
  stop: { from: ['idle', 'working', 'paused', 'error', 'offline'], to: 'stopped' },
  pause: { from: ['idle', 'working'], to: 'paused' },
  resume: { from: ['paused'], to: 'idle' },
  restart: { from: ['idle', 'working', 'paused', 'error', 'offline'], to: 'idle' },
} as const satisfies Record<string, { from: readonly AgentStatus[]; to: AgentStatus }>;

export type LifecycleCommand = keyof typeof LIFECYCLE;

const either = (states: readonly string[]) =>
  states.length === 1 ? states[0]! : `${states.slice(0, -1).join(', ')} or ${states.at(-1)}`;

/** What a runtime may report in a heartbeat; pausing and stopping are people's decisions. */
export const HEARTBEAT_STATUSES = ['idle', 'working', 'error'] as const;

/** A running agent without a heartbeat for this long is marked offline by housekeeping. */
export const HEARTBEAT_STALE_MS = 3 * MINUTE;

type Reason = 'command' | 'heartbeat' | 'housekeeping';

interface Change {
  to: AgentStatus;
  reason: Reason;
  command?: LifecycleCommand;
  currentTask?: string | null;
  heartbeatAt?: number;
}

/**
 * Moves the agent to a new status, only if nobody changed its status since it was read (the
 * status version), with its activity entry in the same batch; then publishes `agent.status`.
 */
async function changeStatus(ctx: Ctx, agent: AgentRow, change: Change): Promise<AgentRow> {
  const now = Date.now();
  const version = agent.statusVersion + 1;
  const set = {
    status: change.to,
    statusVersion: version,
    statusChangedAt: now,
    updatedAt: now,
    ...(change.currentTask !== undefined ? { currentTask: change.currentTask } : {}),
    ...(change.heartbeatAt !== undefined ? { lastHeartbeatAt: change.heartbeatAt } : {}),
  };
  const metadata = {
    from: agent.status,
    to: change.to,
    reason: change.reason,
    command: change.command ?? null,
  };
  const updated = { ...agent, ...set };
  await commit(
    ctx.db,
    [
      ctx.db
        .update(agents)
        .set(set)
        .where(and(eq(agents.id, agent.id), eq(agents.statusVersion, agent.statusVersion))),
      guardedAgentActivity(
        ctx,
        { orgId: agent.orgId, action: 'agent.status', entityType: 'agent', entityId: agent.id, metadata },
        version,
      ),
    ],
    {
      guard: async () => {
        const fresh = await getAgentRow(ctx.db, agent.orgId, agent.id);
        return conflict(`The agent's state changed at the same time (it is now ${fresh.status}); retry`);
      },
      events: [
        agentEvent(ctx.env, { orgId: agent.orgId, agentId: agent.id }, 'agent.status', {
          ...metadata,
          current_task: updated.currentTask,
        }),
      ],
    },
  );
  return updated;
}

export async function runLifecycleCommand(ctx: OrgCtx, agentId: string, command: LifecycleCommand) {
  const { orgId } = ctx;
  const agent = await getAgentRow(ctx.db, orgId, agentId);
  const rule = LIFECYCLE[command];
  if (!(rule.from as readonly AgentStatus[]).includes(agent.status))
    throw conflict(
      `Cannot ${command} the agent: it is ${agent.status}; ${command} needs it to be ${either(rule.from)}`,
    );
  return changeStatus(ctx, agent, { to: rule.to, reason: 'command', command });
}

export interface HeartbeatInput {
  status?: (typeof HEARTBEAT_STATUSES)[number];
  current_task?: string | null;
}

/**
 * A runtime says it is alive. A paused or stopped agent stays so (the runtime reads the status in
 * the answer and obeys); otherwise the reported status is taken, and an offline agent is back to
 * idle. A heartbeat that changes nothing but the time is not an activity entry: it is not news.
 */
export async function heartbeat(ctx: OrgCtx, agentId: string, input: HeartbeatInput) {
  const { orgId } = ctx;
  const agent = await getAgentRow(ctx.db, orgId, agentId);
  const now = Date.now();
  const held = agent.status === 'paused' || agent.status === 'stopped';
  const next: AgentStatus = held
    ? agent.status
    : (input.status ?? (agent.status === 'offline' ? 'idle' : agent.status));
  if (next !== agent.status)
    return changeStatus(ctx, agent, {
      to: next,
      reason: 'heartbeat',
      currentTask: input.current_task,
      heartbeatAt: now,
    });
  const set = {
    lastHeartbeatAt: now,
    ...(input.current_task !== undefined ? { currentTask: input.current_task } : {}),
  };
  await ctx.db
    .update(agents)
    .set(set)
    .where(and(eq(agents.orgId, orgId), eq(agents.id, agentId)));
  return { ...agent, ...set };
}

/** Housekeeping: running agents whose last sign of life is older than the cutoff go offline, stalest first. */
export async function markStaleAgentsOffline(env: Env, db: Db, now: number, limit = 200) {
  const cutoff = now - HEARTBEAT_STALE_MS;
  const stale = await db
    .select()
    .from(agents)
    .where(
      and(
        inArray(agents.status, ['idle', 'working']),
        lt(sql`coalesce(${agents.lastHeartbeatAt}, ${agents.statusChangedAt})`, cutoff),
      ),
    )
    .orderBy(sql`coalesce(${agents.lastHeartbeatAt}, ${agents.statusChangedAt})`)
    .limit(limit);
  const ctx: Ctx = { env, db, actor: { type: 'system', id: 'housekeeping' }, ip: null };
  let marked = 0;
  for (const agent of stale) {
    try {
      await changeStatus(ctx, agent, { to: 'offline', reason: 'housekeeping' });
      marked += 1;
    } catch (err) {
      // A heartbeat or command that raced us decided the agent's state; leave it be.
      if (!(err instanceof ApiError && err.kind === 'conflict')) throw err;
    }
  }
  return marked;
}
