import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeySecrets, apiKeys, apiKeyUsage } from '../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { conflict, forbidden, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { hasScope, type Scope } from '../auth/scopes';
import type { Ctx } from '../context';
import { CLOSE_CREDENTIAL_ENDED } from '../streams/owners';
import { endStreams, endStreamsAt } from '../streams/revocation';
import { API_KEY_PREFIX, forgetApiKeys } from './authenticate';

export type ApiKey = typeof apiKeys.$inferSelect;
export type ApiKeyUse = typeof apiKeyUsage.$inferSelect;

/** How many leading characters of a raw key are kept for masked display (`fmk_` + 8). */
export const START_LENGTH = 12;
export const DEFAULT_GRACE_SECONDS = 24 * 60 * 60;
export const MAX_GRACE_SECONDS = 30 * DEFAULT_GRACE_SECONDS;

/**
 * What an API key caller holds; members are null, as their role (checked per route) bounds them.
 * An API key may only hand out, or take over, scopes it holds itself.
 */
export type Grantor = readonly string[] | null;

function assertHolds(grantor: Grantor, scopes: readonly string[], doing: string) {
  if (grantor === null) return;
  const missing = scopes.filter((s) => !hasScope(grantor, s as Scope));
  if (missing.length > 0)
    throw forbidden(`This API key cannot ${doing} scopes it does not hold: ${missing.join(', ')}`);
}

/** A fresh raw key; only its SHA-256 hash and its first characters are ever stored. */
async function newSecret(keyId: string, now: number) {
  const raw = `${API_KEY_PREFIX}${randomToken(32)}`;
  return {
    raw,
    start: raw.slice(0, START_LENGTH),
    row: { hash: await sha256Hex(raw), keyId, createdAt: now, expiresAt: null },
  };
}

const inOrg = (orgId: string, keyId: string) => and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId));

/** Another organization's key is as missing as one that never existed. */
export async function getApiKey(db: Db, orgId: string, keyId: string): Promise<ApiKey> {
  const [key] = await db.select().from(apiKeys).where(inOrg(orgId, keyId)).limit(1);
  if (!key) throw notFound('API key');
  return key;
}

/** Newest first; the cursor is the id of the last key seen. */
export function listApiKeys(db: Db, orgId: string, limit: number, after?: string) {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), after ? lt(apiKeys.id, after) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
}

export interface NewApiKey {
  name: string;
  description?: string;
  scopes: Scope[];
  expiresAt?: number;
}

export async function createApiKey(ctx: Ctx, orgId: string, grantor: Grantor, input: NewApiKey) {
  const scopes = [...new Set(input.scopes)];
  assertHolds(grantor, scopes, 'grant');
  const now = Date.now();
  const id = newId('key', now);
  const secret = await newSecret(id, now);
  const key: ApiKey = {
    id,
    orgId,
    name: input.name,
    description: input.description ?? null,
    start: secret.start,
    scopes,
    active: true,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
    expiresAt: input.expiresAt ?? null,
    revokedAt: null,
    lastUsedAt: null,
  };
  await ctx.db.batch([
    ctx.db.insert(apiKeys).values(key),
    ctx.db.insert(apiKeySecrets).values(secret.row),
    activityInsert(ctx, {
      orgId,
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: id,
      metadata: { name: key.name, scopes },
    }),
  ]);
  return { raw: secret.raw, key };
}

export interface ApiKeyChanges {
  name?: string;
  description?: string | null;
  scopes?: Scope[];
  active?: boolean;
}

export async function updateApiKey(
  ctx: Ctx,
  orgId: string,
  grantor: Grantor,
  keyId: string,
  changes: ApiKeyChanges,
) {
  await getApiKey(ctx.db, orgId, keyId);
  const scopes = changes.scopes && [...new Set(changes.scopes)];
  if (scopes) assertHolds(grantor, scopes, 'grant');
  const [[key]] = await ctx.db.batch([
    ctx.db
      .update(apiKeys)
      .set({ ...changes, scopes, updatedAt: Date.now() })
      .where(inOrg(orgId, keyId))
      .returning(),
    activityInsert(ctx, {
      orgId,
      action: 'api_key.updated',
      entityType: 'api_key',
      entityId: keyId,
      metadata: { changed: Object.keys(changes) },
    }),
  ]);
  forgetApiKeys({ keyId });
  if (!key) throw notFound('API key');
  if (changes.active === false) await endKeyStreams(ctx, orgId, keyId, 'api key deactivated');
  return key;
}

/** Closes the live streams opened with the key, once the change that ends it is committed. */
function endKeyStreams(ctx: Ctx, orgId: string, keyId: string, reason: string) {
  return endStreams(
    ctx,
    { orgId },
    { target: { kind: 'api_key', keyId }, code: CLOSE_CREDENTIAL_ENDED, reason },
  );
}

/** The key, its secrets and its usage log go at once; the activity log keeps the record. */
export async function deleteApiKey(ctx: Ctx, orgId: string, keyId: string) {
  const key = await getApiKey(ctx.db, orgId, keyId);
  await ctx.db.batch([
    ctx.db.delete(apiKeys).where(inOrg(orgId, keyId)),
    activityInsert(ctx, {
      orgId,
      action: 'api_key.deleted',
      entityType: 'api_key',
      entityId: keyId,
      metadata: { name: key.name },
    }),
  ]);
  forgetApiKeys({ keyId });
  await endKeyStreams(ctx, orgId, keyId, 'api key deleted');
}

export async function revokeApiKey(ctx: Ctx, orgId: string, keyId: string) {
  const existing = await getApiKey(ctx.db, orgId, keyId);
  if (existing.revokedAt !== null) throw conflict('The API key is already revoked');
  const now = Date.now();
  const [[key]] = await ctx.db.batch([
    ctx.db
      .update(apiKeys)
      .set({ revokedAt: now, updatedAt: now })
      .where(and(inOrg(orgId, keyId), isNull(apiKeys.revokedAt)))
      .returning(),
    activityInsert(ctx, { orgId, action: 'api_key.revoked', entityType: 'api_key', entityId: keyId }),
  ]);
  forgetApiKeys({ keyId });
  if (!key) throw conflict('The API key is already revoked');
  await endKeyStreams(ctx, orgId, keyId, 'api key revoked');
  return key;
}

/** Rotating or rolling hands out a working secret, so it needs every scope the key has. */
async function keyForNewSecret(ctx: Ctx, orgId: string, grantor: Grantor, keyId: string) {
  const key = await getApiKey(ctx.db, orgId, keyId);
  if (key.revokedAt !== null) throw conflict('A revoked API key cannot get a new secret');
  assertHolds(grantor, key.scopes, 'take over a key with');
  return key;
}

/** A new secret; the previous ones keep working until `graceSeconds` from now (never longer than before). */
export async function rotateApiKey(
  ctx: Ctx,
  orgId: string,
  grantor: Grantor,
  keyId: string,
  graceSeconds = DEFAULT_GRACE_SECONDS,
) {
  await keyForNewSecret(ctx, orgId, grantor, keyId);
  const now = Date.now();
  const graceEndsAt = now + graceSeconds * 1000;
  const secret = await newSecret(keyId, now);
  const [, , [key]] = await ctx.db.batch([
    ctx.db
      .update(apiKeySecrets)
      .set({ expiresAt: graceEndsAt })
      .where(
        and(
          eq(apiKeySecrets.keyId, keyId),
          or(isNull(apiKeySecrets.expiresAt), gt(apiKeySecrets.expiresAt, graceEndsAt)),
        ),
      ),
    ctx.db.insert(apiKeySecrets).values(secret.row),
    ctx.db
      .update(apiKeys)
      .set({ start: secret.start, updatedAt: now })
      .where(inOrg(orgId, keyId))
      .returning(),
    activityInsert(ctx, {
      orgId,
      action: 'api_key.rotated',
      entityType: 'api_key',
      entityId: keyId,
      metadata: { grace_period_seconds: graceSeconds },
    }),
  ]);
  forgetApiKeys({ keyId });
  if (!key) throw notFound('API key');
  // Streams opened before the rotation used a previous secret, and end when it does.
  await endStreamsAt(ctx, orgId, { kind: 'api_key', keyId }, graceEndsAt);
  return { raw: secret.raw, key, previousExpiresAt: graceEndsAt };
}

/** A new secret; every previous one stops at once. */
export async function rollApiKey(ctx: Ctx, orgId: string, grantor: Grantor, keyId: string) {
  await keyForNewSecret(ctx, orgId, grantor, keyId);
  const now = Date.now();
  const secret = await newSecret(keyId, now);
  const [, , [key]] = await ctx.db.batch([
    ctx.db.delete(apiKeySecrets).where(eq(apiKeySecrets.keyId, keyId)),
    ctx.db.insert(apiKeySecrets).values(secret.row),
    ctx.db
      .update(apiKeys)
      .set({ start: secret.start, updatedAt: now })
      .where(inOrg(orgId, keyId))
      .returning(),
    activityInsert(ctx, { orgId, action: 'api_key.rolled', entityType: 'api_key', entityId: keyId }),
  ]);
  forgetApiKeys({ keyId });
  if (!key) throw notFound('API key');
  // Streams opened with the previous secret end with it; a client reconnects with the new one.
  await endKeyStreams(ctx, orgId, keyId, 'api key rolled');
  return { raw: secret.raw, key };
}

/** The key's recorded requests, newest first; the cursor is the id of the last one seen. */
export async function listKeyUsage(db: Db, orgId: string, keyId: string, limit: number, after?: string) {
  const key = await getApiKey(db, orgId, keyId);
  const uses = await db
    .select()
    .from(apiKeyUsage)
    .where(
      and(
        eq(apiKeyUsage.keyId, keyId),
        eq(apiKeyUsage.orgId, orgId),
        after ? lt(apiKeyUsage.id, after) : undefined,
      ),
    )
    .orderBy(desc(apiKeyUsage.id))
    .limit(limit + 1);
  return { key, uses };
}
