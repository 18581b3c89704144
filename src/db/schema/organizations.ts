import { sql } from 'drizzle-orm';
import { index, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    personal: bool('personal'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Soft delete: a deleted organization answers 404 everywhere. */
    deletedAt: ms('deleted_at'),
  },
  (t) => [uniqueIndex('organizations_slug_uq').on(t.slug)],
);

export const memberships = sqliteTable(
  'memberships',
  {
    orgId: orgId(),
    userId: text('user_id').notNull(),
    role: text('role', { enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const invites = sqliteTable(
  'invites',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'member', 'viewer'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: text('invited_by').notNull(),
    createdAt: createdAt(),
    expiresAt: ms('expires_at').notNull(),
    acceptedAt: ms('accepted_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [
    uniqueIndex('invites_token_uq').on(t.tokenHash),
    // One open invite per email and organization; expired ones are revoked before a new one is made.
    uniqueIndex('invites_open_email_uq')
      .on(t.orgId, t.email)
      .where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
  ],
);

export const teams = sqliteTable(
  'teams',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Lists page by id without sorting the organization's teams.
  (t) => [uniqueIndex('teams_org_name_uq').on(t.orgId, t.name), index('teams_org_idx').on(t.orgId, t.id)],
);

export const teamMembers = sqliteTable(
  'team_members',
  {
    teamId: text('team_id').notNull(),
    orgId: orgId(),
    userId: text('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index('team_members_user_idx').on(t.orgId, t.userId),
  ],
);
