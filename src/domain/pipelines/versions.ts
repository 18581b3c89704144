import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { pipelines, pipelineVersions } from '../../db/schema';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { commit, guarded } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { checkGraph, getPipelineWithGraph, type PipelineWithGraph } from './pipelines';
import type { PipelineVersion } from './resolve';
import type { Snapshot } from './snapshot';

const changedMeanwhile = 'The pipeline changed at the same time; read it again and retry';

/**
 * Applies `edit` to the current graph and makes the result the next version, validated as a whole.
 * The version row is new and never updated; the unique (pipeline, number) makes two edits of the
 * same version collide, so one lands and the other is a 409 instead of silently losing a change.
 */
export async function commitGraph(
  ctx: OrgCtx,
  pipelineId: string,
  edit: (snapshot: Snapshot) => Snapshot,
): Promise<PipelineWithGraph> {
  const current = await getPipelineWithGraph(ctx.db, ctx.orgId, pipelineId);
  const snapshot = edit(current.version.snapshot);
  await checkGraph(ctx.db, ctx.orgId, snapshot);
  const now = Date.now();
  const base = current.pipeline.currentVersion;
  const version: PipelineVersion = {
    id: newId('plv', now),
    orgId: ctx.orgId,
    pipelineId,
    version: base + 1,
    snapshot,
    createdBy: ctx.actor.id,
    createdAt: now,
  };
  const where = and(eq(pipelines.orgId, ctx.orgId), eq(pipelines.id, pipelineId));
  const [, [row]] = await commit(
    ctx.db,
    [
      ctx.db.insert(pipelineVersions).values(version),
      ctx.db
        .update(pipelines)
        .set({
          // Lands only on the version the edit was made from.
          currentVersionId: guarded(version.id, eq(pipelines.currentVersion, base)),
          currentVersion: version.version,
          updatedAt: now,
        })
        .where(where)
        .returning(),
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'pipeline.version_created',
        entityType: 'pipeline',
        entityId: pipelineId,
        metadata: { version_id: version.id, version: version.version },
      }),
    ],
    { unique: changedMeanwhile, guard: changedMeanwhile },
  );
  if (!row) throw notFound('Pipeline');
  return { pipeline: row, version };
}

export const listVersions = (db: Db, orgId: string, pipelineId: string, page: PageRequest) =>
  pageInOrg(db, pipelineVersions, orgId, page, eq(pipelineVersions.pipelineId, pipelineId));

/** One version of the pipeline, by id or by number. */
export async function getVersion(db: Db, orgId: string, pipelineId: string, ref: string) {
  const [row] = await db
    .select()
    .from(pipelineVersions)
    .where(
      and(
        eq(pipelineVersions.orgId, orgId),
        eq(pipelineVersions.pipelineId, pipelineId),
        /^\d{1,9}$/.test(ref) ? eq(pipelineVersions.version, Number(ref)) : eq(pipelineVersions.id, ref),
      ),
    )
    .limit(1);
  if (!row) throw notFound('Pipeline version');
  return row;
}
