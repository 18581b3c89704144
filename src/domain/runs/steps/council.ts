import { and, asc, eq } from 'drizzle-orm';
import { createDb } from '../../../db/client';
import { councilMembers, councils } from '../../../db/schema';
import { renderTemplate, templateScope } from '../template';
import { agentSystemPrompt } from './agent';
import { modelTurn } from './model-turn';
import type { StepExecutor, StepUsage } from './types';

const add = (a: StepUsage, b: StepUsage) => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

/**
 * The council's members answer the question in parallel, each as itself (role prompt, model);
 * then the leader synthesises their answers into the step's output.
 */
export const councilStep: StepExecutor = async (x) => {
  const config = x.step.config as { council_id: string; prompt: string };
  const db = createDb(x.env.DB);
  const [council] = await db
    .select()
    .from(councils)
    .where(and(eq(councils.orgId, x.run.orgId), eq(councils.id, config.council_id)));
  if (!council?.leaderAgentId)
    return {
      status: 'failed',
      error: `Council ${config.council_id} is missing or has no leader`,
      retryable: false,
    };
  const members = await db
    .select({ agentId: councilMembers.agentId })
    .from(councilMembers)
    .where(eq(councilMembers.councilId, council.id))
    .orderBy(asc(councilMembers.position));
  const scope = await templateScope(x.env, x.run, x.outputs, [config.prompt, 'run.project run.ticket']);
  const question = renderTemplate(config.prompt, scope);
  const ask = async (agentId: string, prompt: string) => {
    const system = await agentSystemPrompt(x, agentId, scope);
    if (!system)
      return { status: 'failed' as const, error: `Agent ${agentId} no longer exists`, retryable: false };
    return modelTurn(x.env, x, { agentId, system: system.system, prompt });
  };
  const turns = await Promise.all(members.map((m) => ask(m.agentId, question)));
  let usage: StepUsage = { inputTokens: 0, outputTokens: 0 };
  const answers: { agent_id: string; answer: string }[] = [];
  for (const [i, t] of turns.entries()) {
    if (!('ok' in t)) return t;
    usage = add(usage, t.usage);
    answers.push({ agent_id: members[i]!.agentId, answer: t.text });
  }
  const brief = answers.map((a) => `[${a.agent_id}]\n${a.answer}`).join('\n\n');
  const synthesis = await ask(
    council.leaderAgentId,
    `Question:\n${question}\n\nThe council members answered:\n\n${brief}\n\nSynthesise one answer.`,
  );
  if (!('ok' in synthesis)) return synthesis;
  return {
    status: 'succeeded',
    output: { answers, synthesis: synthesis.text, leader_agent_id: council.leaderAgentId },
    usage: add(usage, synthesis.usage),
  };
};
