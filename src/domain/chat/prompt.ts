import { and, eq } from 'drizzle-orm';
import { agentRoles, projects, tickets } from '../../db/schema';
import { previewPrompt } from '../agent-design/prompt';
import { listRules } from '../agent-design/rules';
import { activeInstructions } from '../agent-design/skills';
import { getAgentRow } from '../agents/shared';
import type { OrgCtx } from '../context';
import type { SessionRow } from './sessions';

const MAX_RULES = 50;

/**
 * The system prompt of a reply: the agent's role prompt rendered with its variables (agent, role,
 * project, ticket, skills, rules, time), then any enabled skills' instructions and applicable rules
 * the template did not place itself, then what memory recalls for the message.
 */
export async function systemPrompt(ctx: OrgCtx, session: SessionRow, memory: string) {
  const agent = await getAgentRow(ctx.db, ctx.orgId, session.agentId);
  const [role, skills, rules, project, ticket] = await Promise.all([
    agent.roleId
      ? ctx.db
          .select()
          .from(agentRoles)
          .where(eq(agentRoles.id, agent.roleId))
          .limit(1)
          .then((r) => r[0])
      : undefined,
    activeInstructions(ctx.db, ctx.orgId, { agentId: agent.id }),
    listRules(ctx, { agentId: agent.id }, { limit: MAX_RULES }).then((r) => r.slice(0, MAX_RULES)),
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
