import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import type { OrgCtx } from '../context';
import { publishAgentEvent, publishToAgent } from './events';
import { getAgentRow } from './shared';

export interface MessageInput {
  content: string;
  metadata?: Record<string, unknown>;
}

/** A message to an agent is an `agent.message` event in its hub: stored, and delivered live. */
export async function sendMessage(ctx: OrgCtx, agentId: string, input: MessageInput) {
  const { orgId } = ctx;
  await getAgentRow(ctx.db, orgId, agentId);
  const id = newId('msg');
  const metadata = input.metadata ?? {};
  const event = await publishAgentEvent(ctx.env, { orgId, agentId }, 'agent.message', {
    message_id: id,
    from: { type: ctx.actor.type, id: ctx.actor.id },
    content: input.content,
    metadata,
  });
  await activityInsert(ctx, {
    orgId,
    action: 'agent.message',
    entityType: 'agent',
    entityId: agentId,
    metadata: { message_id: id, seq: event.seq },
  });
  return {
    id,
    agentId,
    seq: event.seq,
    from: ctx.actor,
    content: input.content,
    metadata,
    createdAt: event.time,
  };
}

/**
 * Events a runtime publishes (output, thinking, tool calls, errors) go to the hub only: they are
 * the agent's own log, too many and too small for the activity log.
 */
export async function publishRuntimeEvents(
  ctx: OrgCtx,
  agentId: string,
  items: { type: string; payload: Record<string, unknown> }[],
) {
  const { orgId } = ctx;
  return publishToAgent(ctx, { orgId, agentId }, items);
}
