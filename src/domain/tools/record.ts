import { activityInsert } from '../activity/record';
import { agentEvent } from '../agents/events';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import type { ToolCaller } from './types';

/** The origin of a call as stored with it (snake case, nulls left out). */
export function callerRecord(caller: ToolCaller) {
  return {
    ...(caller.chatSessionId ? { chat_session_id: caller.chatSessionId } : {}),
    ...(caller.runId ? { run_id: caller.runId } : {}),
    ...(caller.stepKey ? { step_key: caller.stepKey } : {}),
  };
}

export interface BuiltinCallRecord {
  tool: string;
  ok: boolean;
  durationMs: number;
  args: unknown;
}

/**
 * A built-in tool call is an activity entry and an `agent.tool_call` event in the agent's hub,
 * whether it succeeded or not, like a call of an MCP tool through the platform.
 */
export async function recordBuiltinCall(
  ctx: OrgCtx,
  agentId: string,
  caller: ToolCaller,
  r: BuiltinCallRecord,
) {
  const record = {
    tool: r.tool,
    builtin: true,
    is_error: !r.ok,
    duration_ms: r.durationMs,
    ...callerRecord(caller),
  };
  await commit(
    ctx.db,
    [
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'agent.tool_call',
        entityType: 'agent',
        entityId: agentId,
        metadata: record,
      }),
    ],
    {
      events: [
        agentEvent(ctx.env, { orgId: ctx.orgId, agentId }, 'agent.tool_call', {
          ...record,
          arguments: r.args,
          via: 'builtin',
        }),
      ],
    },
  );
}
