import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, orgId } from './columns';

export const activityLog = sqliteTable(
  'activity_log',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'agent', 'system'] }).notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  // Lists page by id (time-ordered) within an organization, optionally narrowed by one filter.
  (t) => [
    index('activity_org_idx').on(t.orgId, t.id),
    index('activity_org_action_idx').on(t.orgId, t.action, t.id),
    index('activity_org_entity_idx').on(t.orgId, t.entityType, t.entityId, t.id),
    index('activity_org_actor_idx').on(t.orgId, t.actorId, t.id),
  ],
);
