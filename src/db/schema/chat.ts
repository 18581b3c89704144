import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agents } from './agents';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';
import { projects, tickets } from './work';

export const MULTITASK_POLICIES = ['reject', 'enqueue', 'interrupt'] as const;
export type MultitaskPolicy = (typeof MULTITASK_POLICIES)[number];

/**
 * The index row of a chat session, for listing and access checks; its messages, the reply in
 * progress and its live clients live in the session's `ChatSession` Durable Object.
 */
export const chatSessions = sqliteTable(
  'chat_sessions',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
    ticketId: text('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    multitask: text('multitask', { enum: MULTITASK_POLICIES }).notNull(),
    archived: bool('archived'),
    /** The user or API key that created it (a user is also its first participant). */
    createdBy: text('created_by').notNull(),
    lastMessageAt: ms('last_message_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('chat_sessions_org_idx').on(t.orgId, t.id),
    // Lists filtered by agent.
    index('chat_sessions_agent_idx').on(t.orgId, t.agentId, t.id),
  ],
);

/** Who may read and write a session besides its creator: members it was shared with. */
export const chatParticipants = sqliteTable(
  'chat_participants',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => chatSessions.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    userId: text('user_id').notNull(),
    addedBy: text('added_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.userId] }),
    // "Sessions shared with me" and the visibility check.
    index('chat_participants_user_idx').on(t.orgId, t.userId, t.sessionId),
  ],
);
