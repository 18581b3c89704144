import { and, eq } from 'drizzle-orm';
import { createDb } from '../../../db/client';
import { agentRoles, agents } from '../../../db/schema';
import { previewPrompt } from '../../agent-design/prompt';
import { renderTemplate, type TemplateScope, templateScope } from '../template';
import { toolLoop } from './tool-loop';
import type { StepExecution, StepExecutor } from './types';

/** The agent's role prompt, with the agent, the run's project and ticket, and the time filled in. */
export async function agentSystemPrompt(x: StepExecution, agentId: string, scope: TemplateScope) {
  const db = createDb(x.env.DB);
  const [row] = await db
    .select({ agent: agents, role: agentRoles })
    .from(agents)
    .leftJoin(agentRoles, eq(agentRoles.id, agents.roleId))
    .where(and(eq(agents.orgId, x.run.orgId), eq(agents.id, agentId)));
  if (!row) return null;
  const { agent, role } = row;
  if (!role) return { system: undefined };
  const now = new Date();
  const context = {
    agent: {
      name: agent.name,
      display_name: agent.displayName,
      description: agent.description ?? '',
      model: agent.model ?? '',
      tags: agent.tags,
    },
    role: { name: role.name, description: role.description ?? '' },
    org: { id: x.run.orgId },
    project: scope.run.project ?? {},
    task: scope.run.ticket ?? {},
    now: { date: now.toISOString().slice(0, 10), datetime: now.toISOString() },
  };
  return { system: previewPrompt(role.promptTemplate, context).rendered };
}

/**
 * A model call as the step's agent, through the gateway (budget, model resolution, call log):
 * the agent's role prompt as system, the step's prompt template as the user message, and the
 * agent's tools (built-ins and its role's MCP tools) called as the model asks, turn after turn.
 */
export const agentStep: StepExecutor = async (x) => {
  const config = x.step.config as { agent_id: string; prompt: string; model?: string | null };
  const scope = await templateScope(x.env, x.run, x.outputs, [config.prompt, 'run.project run.ticket']);
  const prompt = await agentSystemPrompt(x, config.agent_id, scope);
  if (!prompt)
    return { status: 'failed', error: `Agent ${config.agent_id} no longer exists`, retryable: false };
  const turn = await toolLoop(x, {
    agentId: config.agent_id,
    model: config.model,
    system: prompt.system,
    prompt: renderTemplate(config.prompt, scope),
  });
  if (!('ok' in turn)) return turn;
  return { status: 'succeeded', output: turn.text, usage: turn.usage };
};
