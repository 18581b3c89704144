import { and, eq, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { mapRead, prepared, type Read, read, together } from '../../db/reads';
import { agentRoles, agents, chatSessions, projects, tickets } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { previewPrompt } from '../agent-design/prompt';
import { rulesQuery } from '../agent-design/rules';
import type { OrgCtx } from '../context';
import { recallForSession } from './memory';
import { sessionAgent, theSession, visibleTo } from './sessions';

const MAX_RULES = 50;

/**
 * A joined table's column, named apart: a batch keys each row's values by column name, so the
 * session's `id` and its agent's would collide. Decoded as the column is.
 */
const apart = <C extends SQLiteColumn>(column: C, name: string) => sql`${column}`.mapWith(column).as(name);

/** A left join's columns: the joined row, or null when there was none (its id is then null). */
const orNone = <T extends { id: unknown }>(row: T): T | null => (row.id === null ? null : row);

/**
 * The session as its caller may see it (see `visibleTo`), with what its replies' prompts are
 * made of: its agent, the agent's role, its project and ticket. One statement (prepared, see
 * `prepared`); a session's agent always exists (deleting an agent deletes its sessions).
 */
const sessionSetup = prepared(['orgId', 'sessionId', 'actorId'], (db, p) =>
  db
    .select({
      session: chatSessions,
      agent: {
        name: apart(agents.name, 'agent_name'),
        displayName: apart(agents.displayName, 'agent_display_name'),
        description: apart(agents.description, 'agent_description'),
        model: apart(agents.model, 'agent_model'),
        modelId: apart(agents.modelId, 'agent_model_id'),
        tags: apart(agents.tags, 'agent_tags'),
      },
      role: {
        id: apart(agentRoles.id, 'role_id'),
        name: apart(agentRoles.name, 'role_name'),
        description: apart(agentRoles.description, 'role_description'),
        promptTemplate: apart(agentRoles.promptTemplate, 'role_prompt_template'),
        modelId: apart(agentRoles.modelId, 'role_model_id'),
        toolsRequiringApproval: apart(agentRoles.toolsRequiringApproval, 'role_tools_requiring_approval'),
      },
      project: {
        id: apart(projects.id, 'work_project_id'),
        name: apart(projects.name, 'work_project_name'),
        description: apart(projects.description, 'work_project_description'),
      },
      ticket: {
        id: apart(tickets.id, 'work_ticket_id'),
        title: apart(tickets.title, 'work_ticket_title'),
        description: apart(tickets.description, 'work_ticket_description'),
      },
    })
    .from(chatSessions)
    .innerJoin(agents, and(eq(agents.orgId, p.orgId), eq(agents.id, chatSessions.agentId)))
    .leftJoin(agentRoles, and(eq(agentRoles.orgId, p.orgId), eq(agentRoles.id, agents.roleId)))
    .leftJoin(projects, and(eq(projects.orgId, p.orgId), eq(projects.id, chatSessions.projectId)))
    .leftJoin(tickets, and(eq(tickets.orgId, p.orgId), eq(tickets.id, chatSessions.ticketId)))
    .where(and(theSession(p.orgId, p.sessionId), visibleTo(p.actorId)))
    .limit(1),
);

const rulesOfSession = prepared(['orgId', 'sessionId'], (db, p) =>
  rulesQuery(db, p.orgId, sessionAgent(db, p.orgId, p.sessionId), MAX_RULES),
);

/**
 * A send's reads, in one round trip: the session (404 when the caller may not see it) and what
 * the reply's system prompt is made of that only needs the session and the message: the agent's
 * design, the rules that apply, the project or ticket, and what memory recalls for the message.
 */
export function sendReads(ctx: OrgCtx, sessionId: string, content: string) {
  const ids = { orgId: ctx.orgId, sessionId };
  return mapRead(
    together([
      read(sessionSetup(ctx.db, { ...ids, actorId: ctx.actor.id }), ([row]) => row),
      read(rulesOfSession(ctx.db, ids), (rows) => rows),
      recallForSession(ctx, sessionId, content),
    ]),
    ([setup, rules, memory]) => {
      if (!setup) throw notFound('Chat session');
      const { session, agent, role, project, ticket } = setup;
      return {
        session,
        inputs: {
          agent,
          role: orNone(role),
          rules,
          project: orNone(project),
          ticket: orNone(ticket),
          memory,
        },
      };
    },
  );
}

export type PromptInputs = ReturnType<typeof sendReads> extends Read<{ inputs: infer I }> ? I : never;

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
