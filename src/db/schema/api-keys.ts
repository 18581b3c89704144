import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { bool, createdAt, ms, orgId, updatedAt } from './columns';

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    /** The first characters of the current secret, shown in masked listings. */
    start: text('start').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    active: bool('active'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: ms('expires_at'),
    revokedAt: ms('revoked_at'),
    lastUsedAt: ms('last_used_at'),
  },
  (t) => [index('api_keys_org_idx').on(t.orgId, t.id)],
);

/**
 * The hashes a key answers to. Rotation adds a secret and gives the old one a grace period;
 * rolling ends the old one at once. Lookups go by hash only.
 */
export const apiKeySecrets = sqliteTable(
  'api_key_secrets',
  {
    hash: text('hash').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: ms('expires_at'),
  },
  (t) => [index('api_key_secrets_key_idx').on(t.keyId)],
);

export const apiKeyUsage = sqliteTable(
  'api_key_usage',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    orgId: orgId(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    status: ms('status').notNull(),
    createdAt: createdAt(),
  },
  // Usage pages read one key's newest requests first.
  (t) => [index('api_key_usage_key_idx').on(t.keyId, t.id)],
);
