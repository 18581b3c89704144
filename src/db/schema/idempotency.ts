import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, ms } from './columns';

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    /** Who sent it (user or API key) and in which organization: keys never collide across callers. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** Null while the first request is in flight. */
    status: ms('status'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_expiry_idx').on(t.expiresAt)],
);
