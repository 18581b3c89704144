import { and, eq, inArray, type Placeholder, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { mapRead, prepared, type Read, read, together } from '../../db/reads';
import { agentRoles, agents, chatSessions, projects, tickets } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { previewPrompt } from '../agent-design/prompt';
import { rulesQuery } from '../agent-design/rules';
import type { OrgCtx } from '../context';
import { recallForSession } from './memory';
import { sessionAgent, theSession } from './sessions';

const MAX_RULES = 50;

/**
 * The reads of a send's prompt, prepared (see `prepared`): each finds what it reads through the
 * session's row, so none waits for another, or for the session's own read.
 */
const inSession = ['orgId', 'sessionId'] as const;
type InSession = Record<(typeof inSession)[number], Placeholder>;

const theSessionsAgent = (db: Db, p: InSession) =>
  and(eq(agents.orgId, p.orgId), eq(agents.id, sessionAgent(db, p.orgId, p.sessionId)));

/** The agent with its role: two queries, not a join (in a batch, rows are keyed by column name). */
const agentOfSession = prepared(inSession, (db, p) =>
  db.select().from(agents).where(theSessionsAgent(db, p)).limit(1),
);

const roleOfSession = prepared(inSession, (db, p) => {
  const roleId = db.select({ id: agents.roleId }).from(agents).where(theSessionsAgent(db, p));
  return db
    .select()
    .from(agentRoles)
    .where(and(eq(agentRoles.orgId, p.orgId), inArray(agentRoles.id, roleId)))
    .limit(1);
});

const rulesOfSession = prepared(inSession, (db, p) =>
  rulesQuery(db, p.orgId, sessionAgent(db, p.orgId, p.sessionId), MAX_RULES),
);

/** The session's project and ticket, when it has them: one query, its columns named apart. */
const workOfSession = prepared(inSession, (db, p) => {
  const col = <T>(c: SQLiteColumn, name: string) => sql<T | null>`${c}`.as(name);
  return db
    .select({
      projectId: col<string>(projects.id, 'project_id'),
      projectName: col<string>(projects.name, 'project_name'),
      projectDescription: col<string>(projects.description, 'project_description'),
      ticketId: col<string>(tickets.id, 'ticket_id'),
      ticketTitle: col<string>(tickets.title, 'ticket_title'),
      ticketDescription: col<string>(tickets.description, 'ticket_description'),
    })
    .from(chatSessions)
    .leftJoin(projects, and(eq(projects.orgId, p.orgId), eq(projects.id, chatSessions.projectId)))
    .leftJoin(tickets, and(eq(tickets.orgId, p.orgId), eq(tickets.id, chatSessions.ticketId)))
    .where(theSession(p.orgId, p.sessionId));
});

/**
 * What a reply's system prompt is made of that only needs the session and the message: the
 * agent's design, the rules that apply, the project or ticket, and what memory recalls for the
 * message. One read, so it joins the send's other reads in one round trip.
 */
export function promptInputs(ctx: OrgCtx, sessionId: string, content: string) {
  const session = { orgId: ctx.orgId, sessionId };
  return mapRead(
    together([
      read(agentOfSession(ctx.db, session), ([row]) => row),
      read(roleOfSession(ctx.db, session), ([row]) => row ?? null),
      read(rulesOfSession(ctx.db, session), (rows) => rows),
      read(workOfSession(ctx.db, session), ([row]) => ({
        project: row?.projectId
          ? { id: row.projectId, name: row.projectName ?? '', description: row.projectDescription }
          : null,
        ticket: row?.ticketId
          ? { id: row.ticketId, title: row.ticketTitle ?? '', description: row.ticketDescription ?? '' }
          : null,
      })),
      recallForSession(ctx, sessionId, content),
    ]),
    ([agent, role, rules, work, memory]) => {
      if (!agent) throw notFound('Agent');
      return { agent, role, rules, ...work, memory };
    },
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
