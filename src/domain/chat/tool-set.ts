import { createDb } from '../../db/client';
import type { Env } from '../../env';
import type { Defer } from '../context';
import { type AgentTools, agentTools } from '../tools';
import type { ReplyRequest } from './context';

export type ChatToolSet = AgentTools;

/**
 * The tools of the agent a reply speaks for (built-ins and its role's MCP tools). The model is
 * offered what the Worker prepared with the message; the set that runs them (and its reads) is
 * built when the model first calls one. The session's object has no request, so the organization
 * context is rebuilt from what the Worker checked when the message was sent.
 */
export async function toolsForReply(env: Env, request: ReplyRequest, defer: Defer): Promise<ChatToolSet> {
  let built: Promise<AgentTools> | undefined;
  const build = () => {
    built ??= agentTools(
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
    return built;
  };
  const offer = request.tools;
  if (!offer) return build();
  return {
    definitions: offer.definitions,
    requiresApproval: (name) => offer.approval.includes(name),
    execute: async (name, args, signal) => (await build()).execute(name, args, signal),
  };
}
