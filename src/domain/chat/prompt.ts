import { and, eq, inArray, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { type IdRef, mapRead, type Read, read, together } from '../../db/reads';
import { agentRoles, agents, chatSessions, projects, tickets } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { previewPrompt } from '../agent-design/prompt';
import { rulesFor } from '../agent-design/rules';
import type { OrgCtx } from '../context';
import { recallForMessage } from './memory';
import { sessionAgent, theSession } from './sessions';

const MAX_RULES = 50;

/**
 * The agent with its role: the prompt and the tools of a reply both start from it. Two queries,
 * not a join: in a D1 batch rows come back keyed by column name, and the tables share names.
 */
function agentDesign(ctx: OrgCtx, agentId: IdRef) {
  const theAgent = and(eq(agents.orgId, ctx.orgId), eq(agents.id, agentId));
  const roleId = ctx.db.select({ id: agents.roleId }).from(agents).where(theAgent);
  return mapRead(
    together([
      read(ctx.db.select().from(agents).where(theAgent).limit(1), ([row]) => row),
      read(
        ctx.db
          .select()
          .from(agentRoles)
          .where(and(eq(agentRoles.orgId, ctx.orgId), inArray(agentRoles.id, roleId)))
          .limit(1),
        ([row]) => row ?? null,
      ),
    ]),
    ([agent, role]) => {
      if (!agent) throw notFound('Agent');
      return { agent, role };
    },
  );
}

/**
 * The session's project and ticket, when it has them: one query through its row, its columns
 * named apart (in a D1 batch, rows come back keyed by column name).
 */
function workOf(ctx: OrgCtx, sessionId: string) {
  const col = <T>(c: SQLiteColumn, name: string) => sql<T | null>`${c}`.as(name);
  const query = ctx.db
    .select({
      projectId: col<string>(projects.id, 'project_id'),
      projectName: col<string>(projects.name, 'project_name'),
      projectDescription: col<string>(projects.description, 'project_description'),
      ticketId: col<string>(tickets.id, 'ticket_id'),
      ticketTitle: col<string>(tickets.title, 'ticket_title'),
      ticketDescription: col<string>(tickets.description, 'ticket_description'),
    })
    .from(chatSessions)
    .leftJoin(projects, and(eq(projects.orgId, ctx.orgId), eq(projects.id, chatSessions.projectId)))
    .leftJoin(tickets, and(eq(tickets.orgId, ctx.orgId), eq(tickets.id, chatSessions.ticketId)))
    .where(theSession(ctx, sessionId));
  return read(query, ([row]) => ({
    project: row?.projectId
      ? { id: row.projectId, name: row.projectName ?? '', description: row.projectDescription }
      : null,
    ticket: row?.ticketId
      ? { id: row.ticketId, title: row.ticketTitle ?? '', description: row.ticketDescription ?? '' }
      : null,
  }));
}

/**
 * What a reply's system prompt is made of that only needs the session and the message: the
 * agent's design, the rules that apply, the project or ticket, and what memory recalls for the
 * message. One read, so it joins the send's other reads in one round trip; it finds the agent,
 * project and ticket through the session's row, so it need not wait for the session's read.
 */
export function promptInputs(ctx: OrgCtx, sessionId: string, content: string) {
  const agentId = sessionAgent(ctx, sessionId);
  return mapRead(
    together([
      agentDesign(ctx, agentId),
      rulesFor(ctx, agentId, MAX_RULES),
      workOf(ctx, sessionId),
      recallForMessage(ctx, agentId, content),
    ]),
    ([design, rules, work, memory]) => ({ ...design, rules, ...work, memory }),
  );
}

export type PromptInputs = ReturnType<typeof promptInputs> extends Read<infer T> ? T : never;

/**
 * The system prompt of a reply: the agent's role prompt rendered with its variables (agent, role,
 * project, ticket, skills, rules, time), then the enabled skills' instructions and applicable rules
 * the template did not place itself, then what memory recalls for the message.
 */
export function systemPrompt(ctx: OrgCtx, inputs: PromptInputs, skills: string) {
  const { agent, role, rules, project, ticket, memory } = inputs;
  const ruleText = rules.map((r) => `- ${r.rule}`).join('\n');
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
    skills: { instructions: skills },
    rules: ruleText,
    now: { date: now.toISOString().slice(0, 10), datetime: now.toISOString() },
  }).rendered;
  const sections = [rendered];
  if (skills && !template.includes('skills.instructions')) sections.push(`# Skills\n\n${skills}`);
  if (ruleText && !/\{\{\s*rules\s*\}\}/.test(template)) sections.push(`# Rules\n\n${ruleText}`);
  if (memory) sections.push(`# What you remember that may be relevant\n\n${memory}`);
  return sections.join('\n\n');
}
