import { createDb } from '../../db/client';
import type { Env } from '../../env';
import { activityInsert } from '../activity/record';
import { agentEvent } from '../agents/events';
import { commit } from '../commit';
import type { ReplyRequest } from './context';

export interface ToolCallRecord {
  replyId: string;
  tool: string;
  toolCallId: string;
  ok: boolean;
  ms: number;
}

/**
 * Every tool call a reply makes is an `agent.tool_call` event on the agent's hub (seen live by
 * whoever watches the agent) and an activity entry (the audit trail), attributed to the sender.
 */
export async function recordToolCall(env: Env, request: ReplyRequest, call: ToolCallRecord) {
  const payload = {
    tool: call.tool,
    tool_call_id: call.toolCallId,
    status: call.ok ? 'finished' : 'failed',
    duration_ms: call.ms,
    chat_session_id: request.sessionId,
    message_id: call.replyId,
  };
  const db = createDb(env.DB);
  const entry = activityInsert(
    { env, db, actor: request.actor, ip: null },
    {
      orgId: request.orgId,
      action: 'agent.tool_call',
      entityType: 'agent',
      entityId: request.agentId,
      metadata: payload,
    },
  );
  await commit(db, [entry], {
    events: [agentEvent(env, { orgId: request.orgId, agentId: request.agentId }, 'agent.tool_call', payload)],
  });
}
