import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { modeArtifacts, modeSessions, modes } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertOrAbort } from '../activity/record';
import { assertRoleInOrg } from '../agents/agents';
import { assertProjectInOrg, invalid } from '../agents/shared';
import { commit } from '../commit';
import type { Ctx } from '../context';
import { parseMarkdown } from './front-matter';
import { slugRules } from './seeded-slugs';

export type ModeRow = typeof modes.$inferSelect;
export type ModeSessionRow = typeof modeSessions.$inferSelect;
export type ModeArtifactRow = typeof modeArtifacts.$inferSelect;

interface ModeDefault {
  name: string;
  description: string;
  instructions: string;
}

/** The modes every organization has; each can be edited and reset to what is written here. */
export const SYSTEM_MODES: Record<string, ModeDefault> = {
  spec: {
    name: 'Specification',
    description: 'Write down what is to be built and how to know it is done',
    instructions:
      'Work with the user to write a specification: the goal, who it is for, what is in and out of scope, ' +
      'acceptance criteria and open questions. Keep the draft current; finish when the user agrees.',
  },
  plan: {
    name: 'Planning',
    description: 'Turn a specification into ordered tickets',
    instructions:
      'Turn the specification into small tickets, each with acceptance criteria and its dependencies, ' +
      'in an order that can be executed. The artifact is the plan.',
  },
  review: {
    name: 'Review',
    description: 'Review finished work against its specification',
    instructions:
      'Compare the work with its specification and acceptance criteria. List what passes, what fails ' +
      'and what must change. The artifact is the review.',
  },
};

/** Whether a system mode still reads as its default; null for custom modes. */
export function isDefault(mode: ModeRow): boolean | null {
  const d = SYSTEM_MODES[mode.slug];
  if (!mode.system || !d) return null;
  return d.name === mode.name && d.description === mode.description && d.instructions === mode.instructions;
}

export async function ensureSystemModes(db: Db, orgId: string) {
  const now = Date.now();
  await db
    .insert(modes)
    .values(
      Object.entries(SYSTEM_MODES).map(([slug, d]) => ({
        id: newId('mod', now),
        orgId,
        slug,
        system: true,
        ...d,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing();
}

export async function getMode(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(modes)
    .where(and(eq(modes.orgId, orgId), eq(modes.id, id)))
    .limit(1);
  if (!row) throw notFound('Mode');
  return row;
}

/** Ordered by slug; the cursor is the last slug. System modes are seeded on first listing. */
export async function listModes(db: Db, orgId: string, limit: number, afterSlug?: string) {
  await ensureSystemModes(db, orgId);
  return db
    .select()
    .from(modes)
    .where(and(eq(modes.orgId, orgId), afterSlug !== undefined ? gt(modes.slug, afterSlug) : undefined))
    .orderBy(asc(modes.slug))
    .limit(limit + 1);
}

export interface ModeInput {
  slug: string;
  name: string;
  description?: string | null;
  instructions: string;
}

const slugs = slugRules('mode', SYSTEM_MODES);

export async function createMode(ctx: Ctx, orgId: string, input: ModeInput): Promise<ModeRow> {
  slugs.assertNotReserved(input.slug);
  const now = Date.now();
  const row: ModeRow = {
    id: newId('mod', now),
    orgId,
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    instructions: input.instructions,
    system: false,
    createdAt: now,
    updatedAt: now,
  };
  await slugs.write(ctx, input.slug, [
    ctx.db.insert(modes).values(row),
    activityInsert(ctx, {
      orgId,
      action: 'mode.created',
      entityType: 'mode',
      entityId: row.id,
      metadata: { slug: row.slug },
    }),
  ]);
  return row;
}

/** A mode from a Markdown file: front matter for slug, name and description; the body instructs. */
export function modeFromMarkdown(text: string, fileName: string): ModeInput {
  const { attributes, body } = parseMarkdown(text);
  const slug =
    typeof attributes.slug === 'string'
      ? attributes.slug
      : fileName.replace(/\.(md|markdown)$/i, '').toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(slug))
    throw invalid('file', `The mode slug "${slug}" must be lowercase letters, digits, ".", "_" or "-"`);
  if (body.length === 0) throw invalid('file', 'The file has no instructions after its front matter');
  return {
    slug,
    name: typeof attributes.name === 'string' ? attributes.name : slug,
    description: typeof attributes.description === 'string' ? attributes.description : null,
    instructions: body,
  };
}

export async function updateMode(ctx: Ctx, orgId: string, id: string, input: Partial<ModeInput>) {
  const row = await getMode(ctx.db, orgId, id);
  slugs.assertMayChange(row, input.slug);
  const changes: Partial<ModeRow> = {
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
  };
  const now = Date.now();
  await slugs.write(ctx, input.slug, [
    ctx.db
      .update(modes)
      .set({ ...changes, updatedAt: now })
      .where(and(eq(modes.orgId, orgId), eq(modes.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mode.updated',
      entityType: 'mode',
      entityId: id,
      metadata: { slug: changes.slug ?? row.slug, changed: Object.keys(input) },
    }),
  ]);
  return { ...row, ...changes, updatedAt: now };
}

export async function deleteMode(ctx: Ctx, orgId: string, id: string) {
  const row = await getMode(ctx.db, orgId, id);
  if (row.system) throw conflict('System modes cannot be deleted; reset them instead');
  const [active] = await ctx.db
    .select({ id: modeSessions.id })
    .from(modeSessions)
    .where(and(eq(modeSessions.orgId, orgId), eq(modeSessions.modeId, id), eq(modeSessions.status, 'active')))
    .limit(1);
  if (active) throw conflict(`The mode has an active session (${active.id}); complete or cancel it first`);
  await ctx.db.batch([
    ctx.db.delete(modes).where(and(eq(modes.orgId, orgId), eq(modes.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mode.deleted',
      entityType: 'mode',
      entityId: id,
      metadata: { slug: row.slug },
    }),
  ]);
}

export async function resetMode(ctx: Ctx, orgId: string, id: string) {
  const row = await getMode(ctx.db, orgId, id);
  const defaults = SYSTEM_MODES[row.slug];
  if (!row.system || !defaults) throw conflict('Only system modes can be reset; this one is custom');
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(modes)
      .set({ ...defaults, updatedAt: now })
      .where(and(eq(modes.orgId, orgId), eq(modes.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mode.reset',
      entityType: 'mode',
      entityId: id,
      metadata: { slug: row.slug },
    }),
  ]);
  return { ...row, ...defaults, updatedAt: now };
}

// Mode sessions: one active session per project and role, whose draft becomes an artifact.

export async function getSession(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select()
    .from(modeSessions)
    .where(and(eq(modeSessions.orgId, orgId), eq(modeSessions.id, id)))
    .limit(1);
  if (!row) throw notFound('Mode session');
  return row;
}

export async function activeSession(db: Db, orgId: string, projectId: string, roleId: string) {
  const [row] = await db
    .select()
    .from(modeSessions)
    .where(
      and(
        eq(modeSessions.orgId, orgId),
        eq(modeSessions.projectId, projectId),
        eq(modeSessions.roleId, roleId),
        eq(modeSessions.status, 'active'),
      ),
    )
    .limit(1);
  if (!row) throw notFound('Active mode session for this project and role');
  return row;
}

export async function createSession(
  ctx: Ctx,
  orgId: string,
  modeId: string,
  input: { project_id: string; role_id: string; draft?: string },
): Promise<ModeSessionRow> {
  await getMode(ctx.db, orgId, modeId);
  await assertRoleInOrg(ctx.db, orgId, input.role_id);
  await assertProjectInOrg(ctx.db, orgId, input.project_id);
  const now = Date.now();
  const row: ModeSessionRow = {
    id: newId('mss', now),
    orgId,
    modeId,
    projectId: input.project_id,
    roleId: input.role_id,
    status: 'active',
    draft: input.draft ?? '',
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  };
  await commit(
    ctx.db,
    [
      ctx.db.insert(modeSessions).values(row),
      activityInsert(ctx, {
        orgId,
        action: 'mode_session.created',
        entityType: 'mode_session',
        entityId: row.id,
        metadata: { mode_id: modeId, project_id: row.projectId, role_id: row.roleId },
      }),
    ],
    { unique: 'This project and role already have an active mode session; complete or cancel it first' },
  );
  return row;
}

const notActive = (s: ModeSessionRow, doing: string) =>
  conflict(`Cannot ${doing} the session: it is ${s.status}; only an active session can change`);

/**
 * Ends an active session; completing stores the artifact, cancelling stores nothing. When a
 * concurrent request ended it first, nothing of this one is written and the session's current
 * status is the 409.
 */
async function endSession(
  ctx: Ctx,
  s: ModeSessionRow,
  status: 'completed' | 'cancelled',
  artifact: ModeArtifactRow | null,
) {
  const now = Date.now();
  const ended = sql`EXISTS (SELECT 1 FROM ${modeSessions} WHERE ${modeSessions.id} = ${s.id} AND ${modeSessions.status} = ${status} AND ${modeSessions.endedAt} = ${now})`;
  await commit(
    ctx.db,
    [
      ctx.db
        .update(modeSessions)
        .set({ status, endedAt: now, updatedAt: now })
        .where(and(eq(modeSessions.id, s.id), eq(modeSessions.status, 'active'))),
      ...(artifact ? [ctx.db.insert(modeArtifacts).values(artifact)] : []),
      activityInsertOrAbort(
        ctx,
        {
          orgId: s.orgId,
          action: status === 'completed' ? 'mode_session.completed' : 'mode_session.cancelled',
          entityType: 'mode_session',
          entityId: s.id,
          metadata: { artifact_id: artifact?.id ?? null },
        },
        ended,
      ),
    ],
    {
      guard: async () =>
        notActive(await getSession(ctx.db, s.orgId, s.id), status === 'completed' ? 'complete' : 'cancel'),
    },
  );
  return { ...s, status, endedAt: now, updatedAt: now };
}

export async function updateSessionDraft(ctx: Ctx, orgId: string, id: string, draft: string) {
  const s = await getSession(ctx.db, orgId, id);
  if (s.status !== 'active') throw notActive(s, 'update');
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(modeSessions)
      .set({ draft, updatedAt: now })
      .where(and(eq(modeSessions.orgId, orgId), eq(modeSessions.id, id))),
    activityInsert(ctx, {
      orgId,
      action: 'mode_session.updated',
      entityType: 'mode_session',
      entityId: id,
      metadata: { draft_length: draft.length },
    }),
  ]);
  return { ...s, draft, updatedAt: now };
}

export async function completeSession(
  ctx: Ctx,
  orgId: string,
  id: string,
  input: { title?: string; content?: string },
) {
  const s = await getSession(ctx.db, orgId, id);
  if (s.status !== 'active') throw notActive(s, 'complete');
  const content = input.content ?? s.draft;
  if (content.trim() === '') throw invalid('content', 'The session has no draft; give the artifact content');
  const artifact: ModeArtifactRow = {
    id: newId('art'),
    orgId,
    sessionId: s.id,
    modeId: s.modeId,
    projectId: s.projectId,
    roleId: s.roleId,
    title: input.title ?? `Artifact of ${s.id}`,
    content,
    createdBy: ctx.actor.id,
    createdAt: Date.now(),
  };
  return { session: await endSession(ctx, s, 'completed', artifact), artifact };
}

export async function cancelSession(ctx: Ctx, orgId: string, id: string) {
  const s = await getSession(ctx.db, orgId, id);
  if (s.status !== 'active') throw notActive(s, 'cancel');
  return endSession(ctx, s, 'cancelled', null);
}

/** A project's artifacts, newest first; the cursor is the id of the last one seen. */
export function listArtifacts(db: Db, orgId: string, projectId: string, limit: number, before?: string) {
  return db
    .select()
    .from(modeArtifacts)
    .where(
      and(
        eq(modeArtifacts.orgId, orgId),
        eq(modeArtifacts.projectId, projectId),
        before ? lt(modeArtifacts.id, before) : undefined,
      ),
    )
    .orderBy(desc(modeArtifacts.id))
    .limit(limit + 1);
}
