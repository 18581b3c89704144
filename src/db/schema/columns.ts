import { integer, text } from 'drizzle-orm/sqlite-core';

/** Timestamps are stored as integer milliseconds since the epoch; the API speaks ISO 8601. */
export const ms = (name: string) => integer(name, { mode: 'number' });

export const createdAt = () => ms('created_at').notNull();
export const updatedAt = () => ms('updated_at').notNull();

/** Every tenant-owned row carries its organization. */
export const orgId = () => text('org_id').notNull();

export const bool = (name: string) => integer(name, { mode: 'boolean' }).notNull().default(false);
