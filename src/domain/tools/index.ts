import { getRoleRow, type RoleRow } from '../agent-design/roles';
import { getAgentRow } from '../agents/shared';
import type { OrgCtx } from '../context';
import { builtinTools } from './builtin';
import { mcpTools } from './mcp';
import { toolNamer } from './names';
import type { ToolCaller, ToolDefinition, ToolEntry, ToolResult } from './types';

export { BUILTIN_TOOL_NAMES, type BuiltinToolName } from './builtin-names';
export type { ToolCaller, ToolDefinition, ToolResult } from './types';

/** The tools one agent may call, keyed by model-safe name (what a model sees and calls back). */
export interface AgentTools {
  /** Ready for the model gateway's `tools`; `displayName` is the name people read. */
  definitions: Record<string, ToolDefinition>;
  /** Whether a call must wait for a person's approval (unknown names: false; `execute` refuses them). */
  requiresApproval(name: string): boolean;
  /**
   * Runs a tool; never throws for what the model got wrong (unknown tool, bad arguments, a
   * refusal such as a ticket transition the workflow forbids): `ok: false` says why in `output`.
   * Approval is the caller's business: ask `requiresApproval` first.
   */
  execute(name: string, args: unknown, signal?: AbortSignal): Promise<ToolResult>;
}

/**
 * The built-in tools (memory, tickets) and the tools of the MCP servers assigned to the agent's
 * role, for a chat reply or a run step. Tools act as the agent: their activity entries, tickets
 * and comments name it. Approval settings: the role's `tools_requiring_approval` (built-ins) and
 * each of its MCP server links' `requires_approval`. The agent must be in `ctx`'s organization.
 */
export async function agentTools(ctx: OrgCtx, agentId: string, caller: ToolCaller = {}): Promise<AgentTools> {
  const agent = await getAgentRow(ctx.db, ctx.orgId, agentId);
  const role = agent.roleId ? await getRoleRow(ctx.db, ctx.orgId, agent.roleId) : null;
  return toolsOf(ctx, agentId, role, caller);
}

/** `agentTools` for an agent whose role (or none) the caller has read already. */
export async function toolsOf(
  ctx: OrgCtx,
  agentId: string,
  role: Pick<RoleRow, 'id' | 'toolsRequiringApproval'> | null,
  caller: ToolCaller = {},
): Promise<AgentTools> {
  const asAgent: OrgCtx = { ...ctx, actor: { type: 'agent', id: agentId } };
  const entries: ToolEntry[] = [
    ...builtinTools({ ctx: asAgent, agentId, caller }, role?.toolsRequiringApproval ?? []),
    ...(role ? await mcpTools(asAgent, agentId, role.id, caller) : []),
  ];
  const name = toolNamer();
  const byName = new Map(entries.map((e) => [name(e.definition.displayName), e]));
  return {
    definitions: Object.fromEntries([...byName].map(([n, e]) => [n, e.definition])),
    requiresApproval: (n) => byName.get(n)?.requiresApproval ?? false,
    async execute(n, args, signal) {
      const entry = byName.get(n);
      if (!entry) return { ok: false, output: { error: `There is no tool named "${n}"` } };
      return entry.run(args, signal);
    },
  };
}

/** What a model is offered of a tool set, as plain data: the definitions, and which need approval. */
export interface ToolOffer {
  definitions: Record<string, ToolDefinition>;
  approval: string[];
}

export const offerOf = (tools: AgentTools): ToolOffer => ({
  definitions: tools.definitions,
  approval: Object.keys(tools.definitions).filter((n) => tools.requiresApproval(n)),
});
