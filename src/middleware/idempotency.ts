import { z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { openPlatformSecret, sealPlatformSecret } from '../domain/auth/secret-box';
import { complete, release, reserve } from '../domain/idempotency/store';
import type { AppEnv } from '../env';
import { hmacSha256Hex } from '../lib/crypto';
import { toHex } from '../lib/encoding';
import { ApiError } from '../lib/errors';

/** An `Idempotency-Key` as every route takes it (routes that keep their keys themselves too). */
export const IdempotencyKeySchema = z.string().min(1).max(255);

export const IdempotencyHeaderSchema = z.object({
  'idempotency-key': IdempotencyKeySchema.optional().openapi({
    description:
      'Makes the request safe to retry: a repeat with the same key and body returns the original ' +
      'response without running again; the same key with another body is refused (422); one still ' +
      'in flight answers 409. Keys are remembered for 24 hours.',
  }),
});

/** Route middleware for creating POSTs; see `IdempotencyHeaderSchema` for the contract. */
export const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header('Idempotency-Key');
  if (!key) return next();
  if (key.length > 255) throw new ApiError('bad_request', 'Idempotency-Key must be at most 255 characters');

  const p = c.var.principal;
  const scope = `${p.type === 'user' ? p.userId : p.keyId}:${c.req.param('orgId') ?? ''}`;
  // Read as bytes, so binary uploads reach their handler intact. Keyed, because bodies can hold
  // secrets (vault values) that a plain hash would let D1 readers guess.
  const bodyDigest = toHex(await crypto.subtle.digest('SHA-256', await c.req.arrayBuffer()));
  const hash = await hmacSha256Hex(c.env.JWT_SECRET, `${c.req.method} ${c.req.path}\n${bodyDigest}`);
  const db = c.var.db;
  const r = await reserve(db, scope, key, hash);
  if (r.state === 'mismatch')
    throw new ApiError('idempotency_mismatch', 'This Idempotency-Key was used with a different request');
  if (r.state === 'in_flight')
    throw new ApiError('conflict', 'A request with this Idempotency-Key is still being processed');
  // Stored responses may hold secrets shown once (API keys, invite tokens): they are kept sealed.
  const aad = `idempotency:${scope}:${key}`;
  if (r.state === 'done') {
    return c.body(await openPlatformSecret(c.env, r.body, aad), r.status as 200, {
      'Content-Type': 'application/json',
      'Idempotent-Replayed': 'true',
    });
  }

  await next();
  if (c.res.status >= 200 && c.res.status < 300) {
    await complete(
      db,
      scope,
      key,
      c.res.status,
      await sealPlatformSecret(c.env, await c.res.clone().text(), aad),
    );
  } else {
    await release(db, scope, key);
  }
});
