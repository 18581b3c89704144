import { and, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { documents, projects, ticketDependencies, tickets } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import type { Ctx, OrgCtx } from '../context';
import { findInOrg, getInOrg, type PageRequest, pageInOrg } from '../lookup';

export type Project = typeof projects.$inferSelect;

export interface ProjectInput {
  name: string;
  description?: string | null;
  repoUrl?: string | null;
  defaultBranch?: string | null;
  settings?: Record<string, unknown>;
}

export const SYSTEM_PROJECT_NAME = 'System';

export const findProject = (db: Db, orgId: string, id: string) => findInOrg(db, projects, orgId, id);

export const getProject = (db: Db, orgId: string, id: string) => getInOrg(db, projects, 'Project', orgId, id);

const findSystemProject = (db: Db, orgId: string) =>
  db
    .select()
    .from(projects)
    .where(and(eq(projects.orgId, orgId), eq(projects.system, true)))
    .limit(1);

/** System projects, once made, are never deleted: an isolate that has seen one keeps its id. */
const systemProjectIds = new Map<string, string>();
const MAX_KNOWN_SYSTEM_PROJECTS = 10_000;

function rememberSystemProject(row: Project) {
  if (systemProjectIds.size >= MAX_KNOWN_SYSTEM_PROJECTS)
    systemProjectIds.delete(systemProjectIds.keys().next().value as string);
  systemProjectIds.set(row.orgId, row.id);
  return row;
}

/** The system project's id, without a database read once this isolate knows it. */
export async function systemProjectId(ctx: Ctx, orgId: string) {
  return systemProjectIds.get(orgId) ?? (await systemProject(ctx, orgId)).id;
}

/**
 * The organization's system project, made on first use. Callers racing to make it are
 * settled by the partial unique index; only the winner's activity entry is written.
 */
export async function systemProject(ctx: Ctx, orgId: string): Promise<Project> {
  const [existing] = await findSystemProject(ctx.db, orgId);
  if (existing) return rememberSystemProject(existing);
  const now = Date.now();
  const id = newId('prj');
  const [, , [row]] = await ctx.db.batch([
    ctx.db
      .insert(projects)
      .values({
        id,
        orgId,
        name: SYSTEM_PROJECT_NAME,
        description: 'Organization-wide work; tickets created without a project land here',
        system: true,
        settings: {},
        graphRev: newId('rev'),
        createdBy: 'system',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    activityInsertIf(
      { ...ctx, actor: { type: 'system', id: 'system' } },
      { orgId, action: 'project.created', entityType: 'project', entityId: id, metadata: { system: true } },
      sql`EXISTS (SELECT 1 FROM ${projects} WHERE id = ${id})`,
    ),
    findSystemProject(ctx.db, orgId),
  ]);
  if (!row) throw new Error('system project missing after creation');
  return rememberSystemProject(row);
}

/** Projects, oldest first; the system project is made first if the organization has none yet. */
/** Oldest first, so the system project (made on first use) leads a new organization's list. */
export async function listProjectsWithSystem(ctx: OrgCtx, page: PageRequest) {
  await systemProjectId(ctx, ctx.orgId);
  return pageInOrg(ctx.db, projects, ctx.orgId, page);
}

export async function createProject(ctx: OrgCtx, input: ProjectInput) {
  const { orgId } = ctx;
  const now = Date.now();
  const row: Project = {
    id: newId('prj'),
    orgId,
    name: input.name,
    description: input.description ?? null,
    system: false,
    repoUrl: input.repoUrl ?? null,
    defaultBranch: input.defaultBranch ?? null,
    settings: input.settings ?? {},
    graphRev: newId('rev'),
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.db.batch([
    ctx.db.insert(projects).values(row),
    activityInsert(ctx, { orgId, action: 'project.created', entityType: 'project', entityId: row.id }),
  ]);
  return row;
}

export async function updateProject(ctx: OrgCtx, id: string, patch: Partial<ProjectInput>) {
  const { orgId } = ctx;
  const current = await getProject(ctx.db, orgId, id);
  const changes = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.repoUrl !== undefined ? { repoUrl: patch.repoUrl } : {}),
    ...(patch.defaultBranch !== undefined ? { defaultBranch: patch.defaultBranch } : {}),
    // Settings merge key by key; a null value removes the key.
    ...(patch.settings !== undefined
      ? {
          settings: Object.fromEntries(
            Object.entries({ ...current.settings, ...patch.settings }).filter(([, v]) => v !== null),
          ),
        }
      : {}),
  };
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(projects)
      .set({ ...changes, updatedAt: Date.now() })
      .where(and(eq(projects.orgId, orgId), eq(projects.id, id)))
      .returning(),
    activityInsertIf(
      ctx,
      {
        orgId,
        action: 'project.updated',
        entityType: 'project',
        entityId: id,
        metadata: { fields: Object.keys(changes) },
      },
      sql`EXISTS (SELECT 1 FROM ${projects} WHERE id = ${id})`,
    ),
  ]);
  if (!row) throw notFound('Project');
  return row;
}

export async function clearTickets(ctx: OrgCtx, projectId: string) {
  const { orgId } = ctx;
  await getProject(ctx.db, orgId, projectId);
  const [{ n }] = (await ctx.db
    .select({ n: count() })
    .from(tickets)
    .where(eq(tickets.projectId, projectId))) as [{ n: number }];
  await ctx.db.batch([
    activityInsert(ctx, {
      orgId,
      action: 'project.tickets_cleared',
      entityType: 'project',
      entityId: projectId,
      metadata: { tickets: n },
    }),
    // Foreign keys take the tickets' comments and dependencies with them.
    ctx.db.delete(tickets).where(eq(tickets.projectId, projectId)),
  ]);
  return n;
}

/**
 * Deletes the project; foreign keys take its tickets, documents, project role assignments and
 * mode sessions with it. Document bytes are removed from the bucket afterwards.
 */
export async function deleteProject(ctx: OrgCtx, projectId: string) {
  const { orgId } = ctx;
  const project = await getProject(ctx.db, orgId, projectId);
  if (project.system) throw conflict('The system project cannot be deleted');
  const docs = await ctx.db
    .select({ key: documents.objectKey })
    .from(documents)
    .where(eq(documents.projectId, projectId));
  await ctx.db.batch([
    activityInsert(ctx, { orgId, action: 'project.deleted', entityType: 'project', entityId: projectId }),
    ctx.db.delete(projects).where(eq(projects.id, projectId)),
  ]);
  // R2 deletes take at most 1000 keys a call.
  const keys = docs.map((d) => d.key);
  for (let i = 0; i < keys.length; i += 1000) await ctx.env.DOCUMENTS.delete(keys.slice(i, i + 1000));
}

/** The project's settings with what they govern: repository, ticket and document figures. */
export async function projectSettings(db: Db, orgId: string, projectId: string) {
  const project = await getProject(db, orgId, projectId);
  const [byStatus, docs, deps, subtasks] = await db.batch([
    db
      .select({ status: tickets.status, n: count() })
      .from(tickets)
      .where(eq(tickets.projectId, projectId))
      .groupBy(tickets.status),
    db
      .select({ n: count(), bytes: sql<number>`coalesce(sum(${documents.size}), 0)` })
      .from(documents)
      .where(eq(documents.projectId, projectId)),
    db.select({ n: count() }).from(ticketDependencies).where(eq(ticketDependencies.projectId, projectId)),
    db
      .select({ n: count() })
      .from(tickets)
      .where(and(eq(tickets.projectId, projectId), sql`${tickets.parentId} IS NOT NULL`)),
  ]);
  return {
    project,
    ticketsByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])) as Record<string, number>,
    subtasks: subtasks[0]?.n ?? 0,
    documents: { count: docs[0]?.n ?? 0, bytes: Number(docs[0]?.bytes ?? 0) },
    dependencies: deps[0]?.n ?? 0,
  };
}
