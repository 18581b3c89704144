import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { modeArtifacts, modeSessions } from '../../db/schema';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertOrAbort } from '../activity/record';
import { assertRoleInOrg } from '../agents/agents';
import { assertProjectInOrg, invalid } from '../agents/shared';
import { commit } from '../commit';
import type { Ctx, OrgCtx } from '../context';
import { getInOrg, type PageRequest, pageInOrg } from '../lookup';
import { getMode } from './modes';

export type ModeSessionRow = typeof modeSessions.$inferSelect;
export type ModeArtifactRow = typeof modeArtifacts.$inferSelect;

// Mode sessions: one active session per project and role, whose draft becomes an artifact.

export const getSession = (db: Db, orgId: string, id: string) =>
  getInOrg(db, modeSessions, 'Mode session', orgId, id);

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
  ctx: OrgCtx,
  modeId: string,
  input: { project_id: string; role_id: string; draft?: string },
): Promise<ModeSessionRow> {
  const { orgId } = ctx;
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

export async function updateSessionDraft(ctx: OrgCtx, id: string, draft: string) {
  const { orgId } = ctx;
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

export async function completeSession(ctx: OrgCtx, id: string, input: { title?: string; content?: string }) {
  const { orgId } = ctx;
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

export async function cancelSession(ctx: OrgCtx, id: string) {
  const { orgId } = ctx;
  const s = await getSession(ctx.db, orgId, id);
  if (s.status !== 'active') throw notActive(s, 'cancel');
  return endSession(ctx, s, 'cancelled', null);
}

/** A project's artifacts, newest first; the cursor is the id of the last one seen. */
export function listArtifacts(ctx: OrgCtx, projectId: string, page: PageRequest) {
  return pageInOrg(ctx.db, modeArtifacts, ctx.orgId, page, eq(modeArtifacts.projectId, projectId), {
    desc: true,
  });
}
