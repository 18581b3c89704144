import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { JsonObject } from '../../lib/json-value';
import { createdAt, ms, orgId } from './columns';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;

/**
 * A decision an `approval` step waits for. Its public token is stored only as a SHA-256 hash; the
 * row moves out of `pending` once, by a conditional UPDATE, which makes the token single-use.
 */
export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    runId: text('run_id').notNull(),
    stepKey: text('step_key').notNull(),
    /** The step attempt that waits; a decision is reported to the run for this attempt only. */
    attempt: integer('attempt').notNull(),
    /** The attempt's token, which the run's object checks when the outcome is reported. */
    attemptToken: text('attempt_token').notNull(),
    /** Null until a member issues the public link; issuing a new one replaces it. */
    tokenHash: text('token_hash'),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull(),
    /** What the page shows: pipeline, the step's message and a summary of the run input. */
    context: text('context', { mode: 'json' }).$type<JsonObject>().notNull(),
    expiresAt: ms('expires_at').notNull(),
    decidedAt: ms('decided_at'),
    /** `public` (the token's page), a user id or an API key id; null until decided or when expired. */
    decidedBy: text('decided_by'),
    comment: text('comment'),
    /** When the run accepted the outcome; a decided approval still without it is reported again. */
    reportedAt: ms('reported_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('approvals_token_uq').on(t.tokenHash),
    // One approval per step attempt, so a redelivered step message does not ask twice.
    uniqueIndex('approvals_step_uq').on(t.runId, t.stepKey, t.attempt),
    index('approvals_org_idx').on(t.orgId, t.id),
    // Expiry finds pending approvals past their time.
    index('approvals_expiry_idx').on(t.status, t.expiresAt),
    // Outcomes not yet reported to their run are found again.
    index('approvals_unreported_idx').on(t.reportedAt, t.decidedAt),
  ],
);
