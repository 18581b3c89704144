import { z } from '@hono/zod-openapi';
import { ROLES } from '../../domain/auth/scopes';
import type { Invite } from '../../domain/orgs/invites';
import type { Organization } from '../../domain/orgs/organizations';
import type { Team } from '../../domain/orgs/teams';
import { iso } from '../../lib/time';

export const RoleSchema = z
  .enum(ROLES)
  .openapi('Role', { description: 'A role in an organization, from most to least powerful' });
export const SlugSchema = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Lowercase letters, digits and single hyphens');

export const OrganizationSchema = z
  .object({
    id: z.string().openapi({
      description: 'The organization id; resources of the organization live under `/api/v1/orgs/{id}`',
    }),
    name: z.string().openapi({ description: 'The display name' }),
    slug: z
      .string()
      .openapi({ description: 'A unique, URL-friendly name: lowercase letters, digits and single hyphens' }),
    personal: z
      .boolean()
      .openapi({ description: 'True for the personal organization every user gets at registration' }),
    // Not the shared Role schema: describing a nullable copy of it would change the shared one.
    role: z.enum(ROLES).nullable().openapi({ description: "The caller's role; null for API keys" }),
    created_at: z.iso.datetime().openapi({ description: 'When it was created' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
  })
  .openapi('Organization');

export const toOrganization = (o: Organization, role: z.infer<typeof RoleSchema> | null) => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  personal: o.personal,
  role,
  created_at: iso(o.createdAt),
  updated_at: iso(o.updatedAt),
});

export const MemberSchema = z
  .object({
    user_id: z.string().openapi({ description: "The member's user id" }),
    email: z.string().openapi({ description: "The member's email address" }),
    name: z.string().openapi({ description: "The member's name" }),
    role: RoleSchema,
    joined_at: z.iso.datetime().openapi({ description: 'When the member joined the organization' }),
  })
  .openapi('Member');

export const toMember = (m: {
  userId: string;
  email: string;
  name: string;
  role: z.infer<typeof RoleSchema>;
  joinedAt: number;
}) => ({
  user_id: m.userId,
  email: m.email,
  name: m.name,
  role: m.role,
  joined_at: iso(m.joinedAt),
});

export const InviteSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: RoleSchema,
    invited_by: z.string(),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime(),
  })
  .openapi('Invite');

export const InviteInputSchema = z.object({
  email: z.email(),
  role: RoleSchema.exclude(['owner']).openapi({
    description: 'Not `owner`: an owner makes a member an owner once they have joined',
  }),
  expires_in_days: z.number().int().min(1).max(30).default(7),
});

export const InviteCreatedSchema = z
  .object({ invite: InviteSchema, token: z.string().openapi({ description: 'Shown only here' }) })
  .openapi('InviteCreated');

export const toInvite = (i: Invite) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invited_by: i.invitedBy,
  created_at: iso(i.createdAt),
  expires_at: iso(i.expiresAt),
});

export const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Team');

export const toTeam = (t: Team) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});
