import { sql } from 'drizzle-orm';
import { index, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { agents } from './agents';
import { createdAt, ms, orgId, updatedAt } from './columns';
import { CONCURRENCY_POLICIES, pipelines, pipelineVersions } from './pipelines';
import { projects, tickets } from './work';

export const RUN_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export const RUN_TRIGGERS = ['manual', 'api', 'cron', 'retry'] as const;

/**
 * The index of a pipeline run, for lists and filters. The run's step states and its event log
 * live in its `PipelineRun` Durable Object, which updates this row when the run's status changes.
 */
export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    pipelineId: text('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    /** The immutable pipeline version the run executes. */
    versionId: text('version_id')
      .notNull()
      .references(() => pipelineVersions.id, { onDelete: 'cascade' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
    ticketId: text('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    status: text('status', { enum: RUN_STATUSES }).notNull(),
    trigger: text('trigger', { enum: RUN_TRIGGERS }).notNull(),
    concurrency: text('concurrency', { enum: CONCURRENCY_POLICIES }).notNull(),
    /** JSON text of the run's input. */
    input: text('input').notNull(),
    /** Why the run failed or was cancelled. */
    error: text('error'),
    idempotencyKey: text('idempotency_key'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: ms('started_at'),
    finishedAt: ms('finished_at'),
  },
  (t) => [
    index('runs_org_idx').on(t.orgId, t.id),
    index('runs_org_status_idx').on(t.orgId, t.status, t.id),
    index('runs_org_pipeline_idx').on(t.orgId, t.pipelineId, t.id),
    // Concurrency policies look for active runs of one pipeline for one project/ticket.
    index('runs_active_idx').on(t.orgId, t.pipelineId, t.projectId, t.ticketId, t.status),
    uniqueIndex('runs_org_idempotency_uq')
      .on(t.orgId, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
  ],
);

/** The agents a run's steps use: an agent's run history and the runs list's agent filter. */
export const runAgents = sqliteTable(
  'run_agents',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    orgId: orgId(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.agentId] }),
    index('run_agents_agent_idx').on(t.orgId, t.agentId, t.runId),
  ],
);
