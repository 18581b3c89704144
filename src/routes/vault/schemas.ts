import { z } from '@hono/zod-openapi';
import type { VaultItem, VaultItemDetail } from '../../domain/vault/items';
import {
  DEFAULT_GRACE_SECONDS,
  MAX_DESCRIPTION_LENGTH,
  MAX_GRACE_SECONDS,
  MAX_NAME_LENGTH,
  MAX_VALUE_BYTES,
  NAME_PATTERN,
} from '../../domain/vault/rules';
import type { RevealedSecret } from '../../domain/vault/secrets';
import { OrgParamsSchema } from '../../http/params';
import { utf8 } from '../../lib/encoding';
import { iso, isoOrNull } from '../../lib/time';

// Stricter than `pathId`: an id of the wrong shape is refused (400) before any lookup.
export const ItemParamsSchema = OrgParamsSchema.extend({
  itemId: z
    .string()
    .regex(/^vlt_[0-9a-z]{26}$/, 'Not a vault item id (vlt_ followed by 26 characters)')
    .openapi({ param: { name: 'itemId', in: 'path' }, example: 'vlt_01hvq3c9z8x7w6v5t4s3r2q1p0' }),
});

const NameSchema = z
  .string()
  .min(1, { abort: true })
  .max(MAX_NAME_LENGTH, { abort: true })
  .regex(NAME_PATTERN, "Use only letters, digits, '_', '.' and '-'")
  .openapi({ description: 'Unique in the organization', example: 'openai.api_key' });

const DescriptionSchema = z.string().max(MAX_DESCRIPTION_LENGTH).nullable();

const ValueSchema = z
  .string()
  .min(1)
  .refine((v) => utf8.encode(v).byteLength <= MAX_VALUE_BYTES, {
    message: `The value must be at most ${MAX_VALUE_BYTES} bytes (64 KiB) as UTF-8`,
  })
  .openapi({ description: 'The secret; write-only, never returned except by reveal', format: 'password' });

export const StoreBodySchema = z.object({
  name: NameSchema,
  description: DescriptionSchema.optional(),
  value: ValueSchema,
});

/** Strict, so a `value` sent here is refused instead of silently ignored: values change by rotating. */
export const UpdateBodySchema = z
  .strictObject({ name: NameSchema.optional(), description: DescriptionSchema.optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined, {
    message: 'Send at least one of name or description',
  });

export const RotateBodySchema = z.object({
  value: ValueSchema,
  grace_period_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_SECONDS)
    .default(DEFAULT_GRACE_SECONDS)
    .openapi({ description: 'How long earlier versions stay readable (0 ends them at once)' }),
});

export const RevealBodySchema = z.object({
  version: z
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'An earlier version still within its grace period; the current one if omitted' }),
});

const VersionSchema = z.object({
  version: z.number().int(),
  created_at: z.iso.datetime(),
  expires_at: z.iso
    .datetime()
    .nullable()
    .openapi({ description: 'When this earlier version stops being readable; null for the current one' }),
});

const itemFields = {
  id: z.string().openapi({ description: 'The item id', example: 'vlt_01hv…' }),
  name: z
    .string()
    .openapi({ description: 'A name unique in the organization, by which programs find the secret' }),
  description: z.string().nullable().openapi({ description: 'What the secret is for; null when not given' }),
  current_version: z
    .number()
    .int()
    .openapi({ description: 'The version a reveal returns by default; rotating adds a version' }),
  created_by: z.string().openapi({ description: 'The user or API key that stored it' }),
  created_at: z.iso.datetime().openapi({ description: 'When it was stored' }),
  updated_at: z.iso.datetime().openapi({ description: 'When it last changed (rotated or edited)' }),
};

export const VaultItemSummarySchema = z.object(itemFields).openapi('VaultItemSummary');

export const VaultItemSchema = z
  .object({
    ...itemFields,
    versions: z.array(VersionSchema).openapi({ description: 'Readable versions, newest first' }),
  })
  .openapi('VaultItem');

export const RevealedSchema = z
  .object({ id: z.string(), name: z.string(), version: z.number().int(), value: z.string() })
  .openapi('VaultItemValue');

export const toSummary = (i: VaultItem): z.infer<typeof VaultItemSummarySchema> => ({
  id: i.id,
  name: i.name,
  description: i.description,
  current_version: i.currentVersion,
  created_by: i.createdBy,
  created_at: iso(i.createdAt),
  updated_at: iso(i.updatedAt),
});

export const toItem = (i: VaultItemDetail): z.infer<typeof VaultItemSchema> => ({
  ...toSummary(i),
  versions: i.versions.map((v) => ({
    version: v.version,
    created_at: iso(v.createdAt),
    expires_at: isoOrNull(v.expiresAt),
  })),
});

export const toRevealed = (s: RevealedSecret): z.infer<typeof RevealedSchema> => ({
  id: s.itemId,
  name: s.name,
  version: s.version,
  value: s.value,
});
