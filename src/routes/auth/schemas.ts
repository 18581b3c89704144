import { z } from '@hono/zod-openapi';
import type { User } from '../../domain/auth/users';
import { iso } from '../../lib/time';

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: 'usr_01hv…' }),
    email: z.email(),
    name: z.string(),
    personal_org_id: z.string(),
    totp_enabled: z.boolean(),
    created_at: z.iso.datetime(),
  })
  .openapi('User');

export const toUser = (u: User): z.infer<typeof UserSchema> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  personal_org_id: u.personalOrgId,
  totp_enabled: u.totpEnabledAt !== null,
  created_at: iso(u.createdAt),
});

export const TokenPairSchema = z
  .object({
    access_token: z.string().openapi({ description: 'JWT for `Authorization: Bearer`; short-lived' }),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    refresh_token: z
      .string()
      .openapi({ description: 'Single use: exchange at /auth/refresh for a new pair' }),
    session_id: z.string(),
  })
  .openapi('TokenPair');

export const EmailSchema = z.email().max(254);
export const PasswordSchema = z.string().min(1).max(128);
export const TotpCodeSchema = z.string().regex(/^\d{6}$/, 'A 6-digit code');
