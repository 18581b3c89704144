import { and, asc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agentTemplates } from '../../db/schema';
import { ApiError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { type AgentInput, assertRoleInOrg, createAgent } from '../agents/agents';
import { commit } from '../commit';
import type { Ctx } from '../context';

export type TemplateRow = typeof agentTemplates.$inferSelect;

export interface TemplateInput {
  name: string;
  slug: string;
  description?: string | null;
  category?: string | null;
  featured?: boolean;
  sort_order?: number;
  emoji?: string | null;
  color?: string | null;
  role_id?: string | null;
  model?: string | null;
  tools?: string[];
  tags?: string[];
  config?: Record<string, unknown>;
}

export interface TemplateFilter {
  category?: string;
  featured?: boolean;
  includeArchived?: boolean;
}

export async function getTemplate(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(agentTemplates)
    .where(and(eq(agentTemplates.orgId, orgId), eq(agentTemplates.id, id)))
    .limit(1);
  if (!row) throw notFound('Template');
  return row;
}

/** The list order: sort order, then creation. */
export const templateCursor = (t: TemplateRow) => `${t.sortOrder}:${t.id}`;

function parseCursor(cursor: string) {
  const at = cursor.lastIndexOf(':');
  const sortOrder = Number(cursor.slice(0, at));
  if (at < 0 || !Number.isInteger(sortOrder))
    throw new ApiError('bad_request', 'The cursor is not one this API issued');
  return { sortOrder, id: cursor.slice(at + 1) };
}

export function listTemplates(db: Db, orgId: string, f: TemplateFilter, limit: number, cursor?: string) {
  const after = cursor ? parseCursor(cursor) : undefined;
  return db
    .select()
    .from(agentTemplates)
    .where(
      and(
        eq(agentTemplates.orgId, orgId),
        f.includeArchived ? undefined : isNull(agentTemplates.archivedAt),
        f.category ? eq(agentTemplates.category, f.category) : undefined,
        f.featured !== undefined ? eq(agentTemplates.featured, f.featured) : undefined,
        after
          ? or(
              gt(agentTemplates.sortOrder, after.sortOrder),
              and(eq(agentTemplates.sortOrder, after.sortOrder), gt(agentTemplates.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(agentTemplates.sortOrder), asc(agentTemplates.id))
    .limit(limit + 1);
}

const slugTaken = (slug: string) => conflict(`A template with slug "${slug}" already exists`);

export async function createTemplate(ctx: Ctx, orgId: string, input: TemplateInput): Promise<TemplateRow> {
  if (input.role_id) await assertRoleInOrg(ctx.db, orgId, input.role_id);
  const now = Date.now();
  const row: TemplateRow = {
    id: newId('tpl', now),
    orgId,
    name: input.name,
    slug: input.slug,
    description: input.description ?? null,
    category: input.category ?? null,
    featured: input.featured ?? false,
    sortOrder: input.sort_order ?? 0,
    emoji: input.emoji ?? null,
    color: input.color ?? null,
    roleId: input.role_id ?? null,
    model: input.model ?? null,
    tools: input.tools ?? [],
    tags: input.tags ?? [],
    config: input.config ?? {},
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(agentTemplates).values(row),
      activityInsert(ctx, {
        orgId,
        action: 'agent_template.created',
        entityType: 'agent_template',
        entityId: row.id,
        metadata: { slug: row.slug },
      }),
    ],
    { unique: () => slugTaken(input.slug) },
  );
  return row;
}

const columns = {
  name: 'name',
  slug: 'slug',
  description: 'description',
  category: 'category',
  featured: 'featured',
  sort_order: 'sortOrder',
  emoji: 'emoji',
  color: 'color',
  role_id: 'roleId',
  model: 'model',
  tools: 'tools',
  tags: 'tags',
  config: 'config',
} as const satisfies Record<keyof TemplateInput, keyof TemplateRow>;

export async function updateTemplate(ctx: Ctx, orgId: string, id: string, input: Partial<TemplateInput>) {
  const row = await getTemplate(ctx.db, orgId, id);
  if (row.archivedAt !== null) throw conflict('The template is archived');
  if (input.role_id) await assertRoleInOrg(ctx.db, orgId, input.role_id);
  const changes: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columns))
    if (input[key as keyof TemplateInput] !== undefined) changes[column] = input[key as keyof TemplateInput];
  const now = Date.now();
  await commit(
    ctx.db,
    [
      ctx.db
        .update(agentTemplates)
        .set({ ...(changes as Partial<TemplateRow>), updatedAt: now })
        .where(and(eq(agentTemplates.orgId, orgId), eq(agentTemplates.id, id))),
      activityInsert(ctx, {
        orgId,
        action: 'agent_template.updated',
        entityType: 'agent_template',
        entityId: id,
        metadata: { changed: Object.keys(input) },
      }),
    ],
    { unique: () => (input.slug !== undefined ? slugTaken(input.slug) : undefined) },
  );
  return { ...row, ...(changes as Partial<TemplateRow>), updatedAt: now };
}

/** Archiving keeps the row (agents made from it still name it) and frees its slug. */
export async function archiveTemplate(ctx: Ctx, orgId: string, id: string) {
  const row = await getTemplate(ctx.db, orgId, id);
  if (row.archivedAt !== null) throw conflict('The template is already archived');
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(agentTemplates)
      .set({ archivedAt: now, updatedAt: now })
      .where(and(eq(agentTemplates.orgId, orgId), eq(agentTemplates.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'agent_template.archived',
      entityType: 'agent_template',
      entityId: id,
      metadata: { slug: row.slug },
    }),
  ]);
}

/**
 * An agent from a template: the template's role, model, look, tags and configuration (with its
 * tools under `config.tools`), with any field the caller gives taking precedence.
 */
export async function createAgentFromTemplate(ctx: Ctx, orgId: string, id: string, input: AgentInput) {
  const t = await getTemplate(ctx.db, orgId, id);
  if (t.archivedAt !== null) throw conflict('The template is archived');
  return createAgent(
    ctx,
    orgId,
    {
      role_id: t.roleId,
      model: t.model,
      emoji: t.emoji,
      color: t.color,
      description: t.description,
      ...input,
      tags: input.tags ?? t.tags,
      config: { ...t.config, ...(t.tools.length > 0 ? { tools: t.tools } : {}), ...input.config },
    },
    { templateId: t.id },
  );
}
