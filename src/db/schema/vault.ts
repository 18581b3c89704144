import { primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, ms, orgId, updatedAt } from './columns';

/** Per-organization data keys, wrapped by a version of the master key. */
export const vaultDataKeys = sqliteTable(
  'vault_data_keys',
  {
    orgId: orgId(),
    version: ms('version').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    masterVersion: ms('master_version').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.version] })],
);

export const vaultItems = sqliteTable(
  'vault_items',
  {
    id: text('id').primaryKey(),
    orgId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    currentVersion: ms('current_version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('vault_items_org_name_uq').on(t.orgId, t.name)],
);

/** Only ciphertext is stored; old versions stay readable until expiresAt, then are purged. */
export const vaultItemVersions = sqliteTable(
  'vault_item_versions',
  {
    itemId: text('item_id')
      .notNull()
      .references(() => vaultItems.id, { onDelete: 'cascade' }),
    version: ms('version').notNull(),
    ciphertext: text('ciphertext').notNull(),
    iv: text('iv').notNull(),
    dataKeyVersion: ms('data_key_version').notNull(),
    createdAt: createdAt(),
    expiresAt: ms('expires_at'),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.version] })],
);
