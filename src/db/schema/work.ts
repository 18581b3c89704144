import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';

export const projects = sqliteTable(
  'projects',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    /** The organization's system project: made on first use, never deleted. */
    system: bool('system'),
    repoUrl: text('repo_url'),
    defaultBranch: text('default_branch'),
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /**
     * Changes whenever dependencies are added: a dependency write only lands if the revision it
     * checked for cycles is still current (D1 has no interactive transactions).
     */
    graphRev: text('graph_rev').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('projects_org_idx').on(t.orgId, t.id),
    // At most one system project per organization, so lazy creation is race-safe.
    uniqueIndex('projects_org_system_uq').on(t.orgId).where(sql`system = 1`),
  ],
);

export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    /** Each content version is a new object, so a failed metadata write never orphans the live one. */
    objectKey: text('object_key').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('documents_project_idx').on(t.orgId, t.projectId, t.id)],
);

export const TICKET_STATUSES = ['todo', 'in_progress', 'review', 'done', 'blocked', 'cancelled'] as const;
export const TICKET_TYPES = ['feature', 'bug', 'task', 'research', 'ops', 'chore', 'docs'] as const;
export const ASSIGNEE_TYPES = ['user', 'agent'] as const;

export const tickets = sqliteTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** Subtasks point at their parent; one level only. */
    parentId: text('parent_id').references((): AnySQLiteColumn => tickets.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description').notNull(),
    type: text('type', { enum: TICKET_TYPES }).notNull(),
    status: text('status', { enum: TICKET_STATUSES }).notNull(),
    /** 0 (P0, most urgent) to 3 (P3). */
    priority: integer('priority').notNull(),
    assigneeType: text('assignee_type', { enum: ASSIGNEE_TYPES }),
    assigneeId: text('assignee_id'),
    labels: text('labels', { mode: 'json' }).$type<string[]>().notNull(),
    estimate: real('estimate'),
    /** A calendar date, YYYY-MM-DD. */
    dueDate: text('due_date'),
    resolution: text('resolution'),
    /** Order within a board column; moves put a ticket between two others. */
    position: real('position').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: ms('started_at'),
    completedAt: ms('completed_at'),
  },
  (t) => [
    // Lists page by id within an organization; the board reads a project's columns by position.
    index('tickets_org_idx').on(t.orgId, t.id),
    index('tickets_project_status_idx').on(t.projectId, t.status, t.position),
    // `next` and "assigned to me" look tickets up by assignee.
    index('tickets_assignee_idx').on(t.orgId, t.assigneeType, t.assigneeId, t.status),
    index('tickets_parent_idx').on(t.parentId),
  ],
);

/** `ticketId` cannot start before `dependsOnId` is done. Both are tickets of `projectId`. */
export const ticketDependencies = sqliteTable(
  'ticket_dependencies',
  {
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    dependsOnId: text('depends_on_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.dependsOnId] }),
    // The reverse direction: what a ticket blocks, and cleanup when a ticket goes.
    index('ticket_dependencies_depends_on_idx').on(t.dependsOnId),
    // The project's graph and cycle checks read all of its edges.
    index('ticket_dependencies_project_idx').on(t.projectId),
  ],
);

export const ticketComments = sqliteTable(
  'ticket_comments',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    authorType: text('author_type', { enum: ['user', 'api_key', 'agent', 'system'] }).notNull(),
    authorId: text('author_id').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ticket_comments_ticket_idx').on(t.ticketId, t.id)],
);

export const JOB_STATES = ['waiting', 'leased', 'done', 'failed', 'dead'] as const;

/**
 * Work pulled by external workers. `failed` is a job whose last attempt failed and that waits
 * for its retry (at `availableAt`); `dead` has used all its attempts.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    queue: text('queue').notNull(),
    type: text('type').notNull(),
    /** JSON text, so that any JSON value (null included) round-trips. */
    payload: text('payload').notNull(),
    /** Higher runs first. */
    priority: integer('priority').notNull(),
    state: text('state', { enum: JOB_STATES }).notNull(),
    attempts: integer('attempts').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    /** How long one lease lasts without a heartbeat. */
    timeoutMs: integer('timeout_ms').notNull(),
    idempotencyKey: text('idempotency_key'),
    availableAt: ms('available_at').notNull(),
    leaseId: text('lease_id'),
    workerId: text('worker_id'),
    leaseExpiresAt: ms('lease_expires_at'),
    /** JSON text of the worker's result; NULL until done. */
    result: text('result'),
    lastError: text('last_error'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: ms('completed_at'),
  },
  (t) => [
    // Claims take the most urgent available jobs of one queue.
    index('jobs_claim_idx').on(t.orgId, t.queue, t.state, t.priority, t.availableAt),
    // Lists by state page by id; lists of every state too, without sorting the organization's jobs.
    index('jobs_org_state_idx').on(t.orgId, t.state, t.id),
    index('jobs_org_idx').on(t.orgId, t.id),
    // Housekeeping finds expired leases.
    index('jobs_lease_expiry_idx').on(t.state, t.leaseExpiresAt),
    // A repeated submission with the same key finds the original job.
    uniqueIndex('jobs_org_idempotency_uq')
      .on(t.orgId, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    // Claims of one batch share a lease id.
    index('jobs_lease_idx').on(t.leaseId),
  ],
);

/** Workers register implicitly by the id they claim with. */
export const jobWorkers = sqliteTable(
  'job_workers',
  {
    orgId: orgId(),
    workerId: text('worker_id').notNull(),
    lastQueue: text('last_queue'),
    /** Any call from the worker (claim, heartbeat, complete, fail) counts as a heartbeat. */
    lastHeartbeatAt: ms('last_heartbeat_at').notNull(),
    jobsCompleted: integer('jobs_completed').notNull().default(0),
    jobsFailed: integer('jobs_failed').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.workerId] })],
);
