import { and, eq } from 'drizzle-orm';
import { agentRoles, agents, projects, tickets } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { previewPrompt } from '../agent-design/prompt';
import { listRules } from '../agent-design/rules';
import { roleInstructions } from '../agent-design/skills';
import type { OrgCtx } from '../context';
import type { SessionRow } from './sessions';

const MAX_RULES = 50;

/** The agent with its role, in one read: the prompt and the tools of a reply both start from it. */
export async function agentDesign(ctx: OrgCtx, agentId: string) {
  const [row] = await ctx.db
    .select({ agent: agents, role: agentRoles })
    .from(agents)
    .leftJoin(agentRoles, and(eq(agentRoles.orgId, agents.orgId), eq(agentRoles.id, agents.roleId)))
    .where(and(eq(agents.orgId, ctx.orgId), eq(agents.id, agentId)))
    .limit(1);
  if (!row) throw notFound('Agent');
  return { agent: row.agent, role: row.role ?? null };
}

export type AgentDesign = Awaited<ReturnType<typeof agentDesign>>;

/**
 * The system prompt of a reply: the agent's role prompt rendered with its variables (agent, role,
 * project, ticket, skills, rules, time), then any enabled skills' instructions and applicable rules
 * the template did not place itself, then what memory recalls for the message. Its reads all start
 * at once; the agent's design and memory are promises, so their reads run alongside them.
 */
export async function systemPrompt(
  ctx: OrgCtx,
  session: SessionRow,
  design: Promise<AgentDesign>,
  recalled: Promise<string>,
) {
  const [{ agent, role, skills }, rules, project, ticket, memory] = await Promise.all([
    design.then(async (d) => ({
      ...d,
      skills: d.role ? await roleInstructions(ctx.db, ctx.orgId, d.role.id) : { instructions: '' },
    })),
    listRules(ctx, { agentId: session.agentId }, { limit: MAX_RULES }).then((r) => r.slice(0, MAX_RULES)),
    session.projectId
      ? ctx.db
          .select()
          .from(projects)
          .where(and(eq(projects.orgId, ctx.orgId), eq(projects.id, session.projectId)))
          .then((r) => r[0])
      : undefined,
    session.ticketId
      ? ctx.db
          .select()
          .from(tickets)
          .where(and(eq(tickets.orgId, ctx.orgId), eq(tickets.id, session.ticketId)))
          .then((r) => r[0])
      : undefined,
    recalled,
  ]);
  const ruleText = rules
    .slice(0, MAX_RULES)
    .map((r) => `- ${r.rule}`)
    .join('\n');
  const now = new Date();
  const template = role?.promptTemplate ?? `You are {{agent.display_name}}.`;
  const rendered = previewPrompt(template, {
    agent: {
      name: agent.name,
      display_name: agent.displayName,
      description: agent.description,
      model: agent.model,
      tags: agent.tags,
    },
    role: role ? { name: role.name, description: role.description } : {},
    org: { id: ctx.orgId },
    project: project ? { id: project.id, name: project.name, description: project.description } : {},
    task: ticket ? { id: ticket.id, title: ticket.title, description: ticket.description } : {},
    skills: { instructions: skills.instructions },
    rules: ruleText,
    now: { date: now.toISOString().slice(0, 10), datetime: now.toISOString() },
  }).rendered;
  const sections = [rendered];
  if (skills.instructions && !template.includes('skills.instructions'))
    sections.push(`# Skills\n\n${skills.instructions}`);
  if (ruleText && !/\{\{\s*rules\s*\}\}/.test(template)) sections.push(`# Rules\n\n${ruleText}`);
  if (memory) sections.push(`# What you remember that may be relevant\n\n${memory}`);
  return sections.join('\n\n');
}
