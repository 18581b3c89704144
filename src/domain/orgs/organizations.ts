import { and, count, desc, eq, isNull, lt } from 'drizzle-orm';
import { memberships, organizations } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { forgetApiKeys } from '../api-keys/authenticate';
import { commit } from '../commit';
import type { Ctx } from '../context';
import { CLOSE_ACCESS_ENDED } from '../streams/owners';
import { endStreams } from '../streams/revocation';
import { forgetMemberships } from './context';
import { slugify } from './slug';

export type Organization = typeof organizations.$inferSelect;

export async function createOrganization(ctx: Ctx, userId: string, input: { name: string; slug?: string }) {
  const now = Date.now();
  const org: Organization = {
    id: newId('org'),
    name: input.name,
    slug: input.slug ?? slugify(input.name),
    personal: false,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(organizations).values(org),
      ctx.db.insert(memberships).values({ orgId: org.id, userId, role: 'owner', createdAt: now }),
      activityInsert(ctx, {
        orgId: org.id,
        action: 'organization.created',
        entityType: 'organization',
        entityId: org.id,
      }),
    ],
    { unique: `The slug "${org.slug}" is taken; choose another` },
  );
  return org;
}

export async function getOrganization(ctx: Ctx, orgId: string) {
  const [org] = await ctx.db
    .select()
    .from(organizations)
    .where(and(eq(organizations.id, orgId), isNull(organizations.deletedAt)))
    .limit(1);
  if (!org) throw notFound('Organization');
  const [members] = await ctx.db.select({ n: count() }).from(memberships).where(eq(memberships.orgId, orgId));
  return { org, memberCount: members?.n ?? 0 };
}

/** The organizations a user belongs to, newest first. */
export function listUserOrganizations(ctx: Ctx, userId: string, limit: number, after?: string) {
  return ctx.db
    .select({ org: organizations, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(
      and(
        eq(memberships.userId, userId),
        isNull(organizations.deletedAt),
        after ? lt(organizations.id, after) : undefined,
      ),
    )
    .orderBy(desc(organizations.id))
    .limit(limit + 1);
}

export async function updateOrganization(ctx: Ctx, orgId: string, patch: { name?: string; slug?: string }) {
  const now = Date.now();
  const [, [org]] = await commit(
    ctx.db,
    [
      activityInsert(ctx, {
        orgId,
        action: 'organization.updated',
        entityType: 'organization',
        entityId: orgId,
        metadata: { fields: Object.keys(patch) },
      }),
      ctx.db
        .update(organizations)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(organizations.id, orgId), isNull(organizations.deletedAt)))
        .returning(),
    ],
    { unique: `The slug "${patch.slug}" is taken; choose another` },
  );
  if (!org) throw notFound('Organization');
  return org;
}

/** Soft delete: the organization and everything in it answer 404 from now on. */
export async function deleteOrganization(ctx: Ctx, orgId: string) {
  const { org } = await getOrganization(ctx, orgId);
  if (org.personal) throw conflict('A personal organization cannot be deleted');
  await ctx.db.batch([
    ctx.db.update(organizations).set({ deletedAt: Date.now() }).where(eq(organizations.id, orgId)),
    activityInsert(ctx, {
      orgId,
      action: 'organization.deleted',
      entityType: 'organization',
      entityId: orgId,
    }),
  ]);
  forgetApiKeys({ orgId });
  forgetMemberships({ orgId });
  await endStreams(
    ctx,
    { orgId },
    { target: { kind: 'org' }, code: CLOSE_ACCESS_ENDED, reason: 'organization deleted' },
  );
}
