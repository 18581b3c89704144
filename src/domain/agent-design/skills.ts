import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { roleSkills, skills } from '../../db/schema';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { getAgentRow, invalid } from '../agents/shared';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { getItemRow } from '../vault/items';
import { deleteSecret, readSecret, rotateSecret, storeSecret } from '../vault/secrets';
import { parseMarkdown } from './front-matter';
import { getRoleRow } from './roles';

export type SkillRow = typeof skills.$inferSelect;

export interface SkillInput {
  name: string;
  description?: string | null;
  instructions: string;
  enabled?: boolean;
  metadata?: Record<string, unknown>;
}

export const getSkill = (db: Db, orgId: string, id: string) => getInOrg(db, skills, 'Skill', orgId, id);

/** Ordered by name, which the (org_id, name) unique index serves; the cursor is the last name. */
export function listSkills(ctx: OrgCtx, f: { enabled?: boolean }, page: PageRequest) {
  const where = f.enabled !== undefined ? eq(skills.enabled, f.enabled) : undefined;
  return pageInOrg(ctx.db, skills, ctx.orgId, page, where, { by: 'name' });
}

const nameTaken = (name: string) => conflict(`A skill named "${name}" already exists`);

export async function createSkill(ctx: OrgCtx, input: SkillInput): Promise<SkillRow> {
  const { orgId } = ctx;
  const now = Date.now();
  const row: SkillRow = {
    id: newId('skl', now),
    orgId,
    name: input.name,
    description: input.description ?? null,
    instructions: input.instructions,
    enabled: input.enabled ?? true,
    metadata: input.metadata ?? {},
    credentialsItemId: null,
    credentialsUpdatedAt: null,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(skills).values(row),
      activityInsert(ctx, {
        orgId,
        action: 'skill.created',
        entityType: 'skill',
        entityId: row.id,
        metadata: { name: row.name },
      }),
    ],
    { unique: () => nameTaken(input.name) },
  );
  return row;
}

/** A skill from a Markdown file: front matter for name, description and enabled; the body instructs. */
export function skillFromMarkdown(text: string, fileName: string): SkillInput {
  const { attributes, body } = parseMarkdown(text);
  const { name, description, enabled, ...rest } = attributes;
  const fallback = fileName.replace(/\.(md|markdown)$/i, '').toLowerCase();
  const skill = {
    name: typeof name === 'string' ? name : fallback,
    description: typeof description === 'string' ? description : null,
    instructions: body,
    enabled: typeof enabled === 'boolean' ? enabled : true,
    metadata: rest,
  };
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(skill.name))
    throw invalid(
      'file',
      `The skill name "${skill.name}" must be lowercase letters, digits, ".", "_" or "-"`,
    );
  if (skill.instructions.length === 0)
    throw invalid('file', 'The file has no instructions after its front matter');
  return skill;
}

export async function updateSkill(ctx: OrgCtx, id: string, input: Partial<SkillInput>) {
  const { orgId } = ctx;
  const row = await getSkill(ctx.db, orgId, id);
  const changes: Partial<SkillRow> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
  };
  const now = Date.now();
  await commit(
    ctx.db,
    [
      ctx.db
        .update(skills)
        .set({ ...changes, updatedAt: now })
        .where(and(eq(skills.orgId, orgId), eq(skills.id, id))),
      activityInsert(ctx, {
        orgId,
        action: 'skill.updated',
        entityType: 'skill',
        entityId: id,
        metadata: { name: changes.name ?? row.name, changed: Object.keys(input) },
      }),
    ],
    { unique: () => (input.name !== undefined ? nameTaken(input.name) : undefined) },
  );
  return { ...row, ...changes, updatedAt: now };
}

/** Deletes the skill (its role links go by foreign key) and its credentials in the vault. */
export async function deleteSkill(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getSkill(ctx.db, orgId, id);
  await ctx.db.batch([
    ctx.db.delete(skills).where(and(eq(skills.orgId, orgId), eq(skills.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'skill.deleted',
      entityType: 'skill',
      entityId: id,
      metadata: { name: row.name },
    }),
  ]);
  if (row.credentialsItemId) await deleteVaultItemIfPresent(ctx, row.credentialsItemId);
}

async function deleteVaultItemIfPresent(ctx: OrgCtx, itemId: string) {
  const { orgId } = ctx;
  try {
    await deleteSecret(ctx, orgId, itemId);
  } catch (err) {
    // Someone deleted it from the vault directly; there is nothing left to remove.
    if (!(err instanceof ApiError && err.kind === 'not_found')) throw err;
  }
}

/** Whether the skill's vault item exists; one deleted from the vault directly counts as unset. */
async function credentialsPresent(db: Db, orgId: string, row: SkillRow) {
  if (!row.credentialsItemId) return false;
  try {
    await getItemRow(db, orgId, row.credentialsItemId);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'not_found') return false;
    throw err;
  }
}

/**
 * Stores the skill's credentials (a map of names to secret values) encrypted in the vault, as one
 * item; storing again makes a new version and the old one stops working at once.
 */
export async function storeSkillCredentials(ctx: OrgCtx, id: string, values: Record<string, string>) {
  const { orgId } = ctx;
  const row = await getSkill(ctx.db, orgId, id);
  const value = JSON.stringify(values);
  let itemId = row.credentialsItemId;
  if (itemId && (await credentialsPresent(ctx.db, orgId, row))) {
    await rotateSecret(ctx, orgId, itemId, { value, gracePeriodSeconds: 0 });
  } else {
    const item = await storeSecret(ctx, orgId, {
      name: `skill.${row.id}.credentials`,
      description: `Credentials of the skill "${row.name}"`,
      value,
    });
    itemId = item.id;
  }
  const now = Date.now();
  await commit(ctx.db, [
    ctx.db
      .update(skills)
      .set({ credentialsItemId: itemId, credentialsUpdatedAt: now, updatedAt: now })
      .where(and(eq(skills.orgId, orgId), eq(skills.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'skill.credentials_stored',
      entityType: 'skill',
      entityId: id,
      metadata: { name: row.name, vault_item_id: itemId, keys: Object.keys(values).length },
    }),
  ]);
  return { set: true, updatedAt: now };
}

export async function revokeSkillCredentials(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getSkill(ctx.db, orgId, id);
  if (!row.credentialsItemId) throw notFound('Credentials of this skill');
  await deleteVaultItemIfPresent(ctx, row.credentialsItemId);
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(skills)
      .set({ credentialsItemId: null, credentialsUpdatedAt: null, updatedAt: now })
      .where(and(eq(skills.orgId, orgId), eq(skills.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'skill.credentials_revoked',
      entityType: 'skill',
      entityId: id,
      metadata: { name: row.name },
    }),
  ]);
}

/** Says only whether credentials are set, never what they are. */
export async function skillCredentialStatus(db: Db, orgId: string, id: string) {
  const row = await getSkill(db, orgId, id);
  const set = await credentialsPresent(db, orgId, row);
  return { set, updatedAt: set ? row.credentialsUpdatedAt : null };
}

/** The platform's own use of a skill's credentials (e.g. to hand them to a tool call). */
export async function readSkillCredentials(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const row = await getSkill(ctx.db, orgId, id);
  if (!row.credentialsItemId) return null;
  const secret = await readSecret(ctx, orgId, row.credentialsItemId);
  return JSON.parse(secret.value) as Record<string, string>;
}

/**
 * The instructions of the skills active for a role (or for an agent, through its role): enabled
 * skills assigned to the role with the assignment enabled, by name, combined as Markdown sections.
 */
export async function activeInstructions(
  db: Db,
  orgId: string,
  target: { roleId?: string; agentId?: string },
) {
  let roleId = target.roleId;
  if (target.agentId) {
    const agent = await getAgentRow(db, orgId, target.agentId);
    roleId = agent.roleId ?? undefined;
  } else if (roleId) await getRoleRow(db, orgId, roleId);
  if (!roleId) return { roleId: null, skills: [], instructions: '' };
  return roleInstructions(db, orgId, roleId);
}

/** `activeInstructions` for a role already known to exist (its agent was just read with it). */
export async function roleInstructions(db: Db, orgId: string, roleId: string) {
  const rows = await db
    .select({ id: skills.id, name: skills.name, instructions: skills.instructions })
    .from(skills)
    .innerJoin(roleSkills, and(eq(roleSkills.targetId, skills.id), eq(roleSkills.roleId, roleId)))
    .where(and(eq(skills.orgId, orgId), eq(skills.enabled, true), eq(roleSkills.enabled, true)))
    .orderBy(asc(skills.name));
  return {
    roleId,
    skills: rows.map((r) => ({ id: r.id, name: r.name })),
    instructions: rows.map((r) => `## ${r.name}\n\n${r.instructions}`).join('\n\n'),
  };
}
