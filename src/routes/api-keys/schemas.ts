import { z } from '@hono/zod-openapi';
import type { ApiKey, ApiKeyUse } from '../../domain/api-keys/keys';
import { MAX_GRACE_SECONDS } from '../../domain/api-keys/keys';
import { SCOPE_NAMES } from '../../domain/auth/scopes';
import { OrgParamsSchema } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const tags = ['API keys'];

// Stricter than `pathId`: an id of the wrong shape is refused (400) before any lookup.
export const KeyParamsSchema = OrgParamsSchema.extend({
  keyId: z
    .string()
    .regex(/^key_[0-9a-z]{26}$/, 'Not an API key id (key_ followed by 26 characters)')
    .openapi({ param: { name: 'keyId', in: 'path' }, example: 'key_01hvq3c9z8x7w6v5t4s3r2q1p0' }),
});

const ScopesSchema = z
  .array(z.enum(SCOPE_NAMES))
  .min(1, 'Give the key at least one scope')
  .max(SCOPE_NAMES.length)
  .openapi({ description: 'What the key may do; see `GET /api/v1/events/catalog` for every scope' });

const NameSchema = z.string().trim().min(1).max(100);
const DescriptionSchema = z.string().trim().max(500);

export const CreateApiKeySchema = z.object({
  name: NameSchema,
  description: DescriptionSchema.optional(),
  scopes: ScopesSchema,
  expires_at: z.iso
    .datetime({ offset: true, abort: true })
    .refine((v) => Date.parse(v) > Date.now(), 'Must be in the future')
    .optional()
    .openapi({ description: 'When the key stops working; never when absent' }),
});

export const UpdateApiKeySchema = z
  .object({
    name: NameSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    scopes: ScopesSchema.optional(),
    active: z.boolean().optional().openapi({ description: 'An inactive key is refused until reactivated' }),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), 'Send at least one field to change');

export const RotateSchema = z.object({
  grace_period_seconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional().openapi({
    description: 'How long the previous secret keeps working (default one day, at most 30 days)',
  }),
});

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ description: 'The key id (not the secret)', example: 'key_01hv…' }),
    organization_id: z.string().openapi({ description: 'The only organization the key acts in' }),
    name: z.string().openapi({ description: 'A name to recognise the key by' }),
    description: z.string().nullable().openapi({ description: 'What the key is for; null when not given' }),
    start: z.string().openapi({ description: 'The first characters of the secret', example: 'fmk_AbCd1234' }),
    masked_key: z.string().openapi({
      description: 'The secret with all but its start hidden, to tell keys apart',
      example: 'fmk_AbCd1234…',
    }),
    scopes: z
      .array(z.string())
      .openapi({ description: 'What the key may do; see `GET /api/v1/events/catalog` for every scope' }),
    active: z
      .boolean()
      .openapi({ description: 'False when deactivated; an inactive key is refused until reactivated' }),
    status: z.enum(['active', 'inactive', 'expired', 'revoked']).openapi({
      description: 'Whether the key works now: revoked and expired are final; inactive can be reactivated',
    }),
    created_by: z.string().openapi({ description: 'The user or API key that created it' }),
    created_at: z.iso.datetime().openapi({ description: 'When it was created' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
    expires_at: z.iso.datetime().nullable().openapi({ description: 'When it stops working; null for never' }),
    revoked_at: z.iso.datetime().nullable().openapi({ description: 'When it was revoked; null if not' }),
    last_used_at: z.iso.datetime().nullable().openapi({
      description:
        'When it last authenticated a request (recorded in batches, so up to a few seconds late); null if never',
    }),
  })
  .openapi('ApiKey');

const statusOf = (k: ApiKey, now: number) => {
  if (k.revokedAt !== null) return 'revoked' as const;
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired' as const;
  return k.active ? ('active' as const) : ('inactive' as const);
};

/** Never the hash: only the stored prefix of the secret leaves the API. */
export const toApiKey = (k: ApiKey, now = Date.now()): z.infer<typeof ApiKeySchema> => ({
  id: k.id,
  organization_id: k.orgId,
  name: k.name,
  description: k.description,
  start: k.start,
  masked_key: `${k.start}…`,
  scopes: k.scopes,
  active: k.active,
  status: statusOf(k, now),
  created_by: k.createdBy,
  created_at: iso(k.createdAt),
  updated_at: iso(k.updatedAt),
  expires_at: isoOrNull(k.expiresAt),
  revoked_at: isoOrNull(k.revokedAt),
  last_used_at: isoOrNull(k.lastUsedAt),
});

export const ApiKeyWithSecretSchema = z
  .object({
    key: z.string().openapi({
      description: 'The raw secret, shown only in this response; send it as `Authorization: Bearer`',
      example: 'fmk_AbCd1234…',
    }),
    api_key: ApiKeySchema,
  })
  .openapi('ApiKeyWithSecret');

export const RotatedApiKeySchema = ApiKeyWithSecretSchema.extend({
  previous_secret_expires_at: z.iso
    .datetime()
    .openapi({ description: 'When the secrets in use before this rotation stop working' }),
}).openapi('RotatedApiKey');

export const KeyUseSchema = z
  .object({
    id: z.string(),
    method: z.string().openapi({ example: 'GET' }),
    path: z.string().openapi({ example: '/api/v1/orgs/org_01hv…/activity' }),
    status: z.number().int().openapi({ example: 200 }),
    created_at: z.iso.datetime(),
  })
  .openapi('ApiKeyUse');

export const toKeyUse = (u: ApiKeyUse): z.infer<typeof KeyUseSchema> => ({
  id: u.id,
  method: u.method,
  path: u.path,
  status: u.status,
  created_at: iso(u.createdAt),
});
