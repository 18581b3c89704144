import { createDb } from '../../db/client';
import type { Env } from '../../env';
import type { Defer } from '../context';
import { type AgentTools, agentTools, type ToolDefinition, type ToolOffer } from '../tools';
import type { ReplyRequest } from './context';

/**
 * The tools of a reply: what the model is offered, and the set that decides approvals and runs
 * calls, as the agent's tools are when a call is settled (an approval switched on since the
 * message was sent applies). A call may only run a tool the model was offered, under the same name.
 */
export interface ReplyTools {
  definitions: Record<string, ToolDefinition>;
  live(): Promise<AgentTools>;
}

/**
 * The tools of the agent a reply speaks for (built-ins and its role's MCP tools). The model is
 * offered what the Worker prepared with the message, so nothing is read before its first turn; the
 * live set is read when a turn ends with tool calls. The session's object has no request, so the
 * organization context is rebuilt from what the Worker checked when the message was sent.
 */
export async function toolsForReply(env: Env, request: ReplyRequest, defer: Defer): Promise<ReplyTools> {
  const read = () =>
    agentTools(
      {
        env,
        db: createDb(env.DB),
        actor: request.actor,
        ip: null,
        defer,
        org: { id: request.orgId, role: null, scopes: null },
        orgId: request.orgId,
      },
      request.agentId,
      { chatSessionId: request.sessionId },
    );
  const offer = request.tools;
  // A reply stored before the Worker prepared offers: its tools are read up front, as they were.
  if (!offer) {
    const tools = await read();
    return { definitions: tools.definitions, live: async () => tools };
  }
  return { definitions: offer.definitions, live: async () => offered(offer, await read()) };
}

/** The live set, narrowed to the tools offered: another tool, or one renamed since, is refused. */
function offered(offer: ToolOffer, live: AgentTools): AgentTools {
  const same = (name: string) =>
    offer.definitions[name] !== undefined &&
    live.definitions[name]?.displayName === offer.definitions[name].displayName;
  return {
    definitions: offer.definitions,
    requiresApproval: (name) => same(name) && live.requiresApproval(name),
    execute: async (name, args, signal) =>
      same(name)
        ? live.execute(name, args, signal)
        : { ok: false, output: { error: `There is no tool named "${name}"` } },
  };
}
