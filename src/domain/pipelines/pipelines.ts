import { and, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type ConcurrencyPolicy, pipelines, pipelineVersions } from '../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import { commit } from '../commit';
import type { OrgCtx } from '../context';
import { type PageRequest, pageInOrg } from '../lookup';
import { findProject } from '../work/projects';
import { validateGraph } from './dag';
import { checkStepReferences } from './references';
import type { Pipeline, PipelineVersion } from './resolve';
import type { Snapshot } from './snapshot';

export interface PipelineWithGraph {
  pipeline: Pipeline;
  version: PipelineVersion;
}

export interface PipelineInput {
  name: string;
  description?: string | null;
  projectId?: string | null;
  concurrency?: ConcurrencyPolicy;
  isDefault?: boolean;
  snapshot: Snapshot;
}

export const DEFAULT_CONCURRENCY: ConcurrencyPolicy = 'reject';

/** The pipeline with its current version, in one read; 404 when missing or another organization's. */
export async function getPipelineWithGraph(db: Db, orgId: string, id: string): Promise<PipelineWithGraph> {
  const [row] = await db
    .select({ pipeline: pipelines, version: pipelineVersions })
    .from(pipelines)
    .innerJoin(pipelineVersions, eq(pipelineVersions.id, pipelines.currentVersionId))
    .where(and(eq(pipelines.orgId, orgId), eq(pipelines.id, id)))
    .limit(1);
  if (!row) throw notFound('Pipeline');
  return row;
}

export const listPipelines = (
  db: Db,
  orgId: string,
  page: PageRequest,
  filter: { projectId?: string; isDefault?: boolean },
) =>
  pageInOrg(
    db,
    pipelines,
    orgId,
    page,
    and(
      filter.projectId ? eq(pipelines.projectId, filter.projectId) : undefined,
      filter.isDefault !== undefined ? eq(pipelines.isDefault, filter.isDefault) : undefined,
    ),
  );

/** Pipelines sharing a default with this one: the same project's, or the organization-wide ones. */
const defaultScope = (orgId: string, projectId: string | null): SQL =>
  and(
    eq(pipelines.orgId, orgId),
    projectId ? eq(pipelines.projectId, projectId) : isNull(pipelines.projectId),
  )!;

/** Clears the scope's default, except `keep`: put before the write that sets a new one. */
const clearDefault = (ctx: OrgCtx, projectId: string | null, keep: string) =>
  ctx.db
    .update(pipelines)
    .set({ isDefault: false })
    .where(and(defaultScope(ctx.orgId, projectId), eq(pipelines.isDefault, true), ne(pipelines.id, keep)));

async function checkProject(ctx: OrgCtx, projectId: string | null) {
  if (projectId && !(await findProject(ctx.db, ctx.orgId, projectId)))
    throw new ApiError('validation', `No project ${projectId} in this organization`, {
      errors: [{ path: 'project_id', message: `No project ${projectId} in this organization` }],
    });
}

/** A graph that can run: validated as a whole, with its agents and councils the organization's. */
export async function checkGraph(db: Db, orgId: string, snapshot: Snapshot) {
  validateGraph(snapshot);
  await checkStepReferences(db, orgId, snapshot);
}

export async function createPipeline(ctx: OrgCtx, input: PipelineInput): Promise<PipelineWithGraph> {
  const projectId = input.projectId ?? null;
  await Promise.all([checkProject(ctx, projectId), checkGraph(ctx.db, ctx.orgId, input.snapshot)]);
  const now = Date.now();
  const id = newId('ppl', now);
  const version: PipelineVersion = {
    id: newId('plv', now),
    orgId: ctx.orgId,
    pipelineId: id,
    version: 1,
    snapshot: input.snapshot,
    createdBy: ctx.actor.id,
    createdAt: now,
  };
  const pipeline: Pipeline = {
    id,
    orgId: ctx.orgId,
    projectId,
    name: input.name,
    description: input.description ?? null,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    currentVersionId: version.id,
    currentVersion: 1,
    isDefault: input.isDefault ?? false,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await commit(
    ctx.db,
    [
      activityInsert(ctx, {
        orgId: ctx.orgId,
        action: 'pipeline.created',
        entityType: 'pipeline',
        entityId: id,
        metadata: { version_id: version.id, is_default: pipeline.isDefault },
      }),
      ...(pipeline.isDefault ? [clearDefault(ctx, projectId, id)] : []),
      ctx.db.insert(pipelines).values(pipeline),
      ctx.db.insert(pipelineVersions).values(version),
    ],
    { unique: 'Another pipeline became the default at the same time; try again' },
  );
  return { pipeline, version };
}

export interface PipelinePatch {
  name?: string;
  description?: string | null;
  concurrency?: ConcurrencyPolicy;
}

export async function updatePipeline(ctx: OrgCtx, id: string, patch: PipelinePatch) {
  const where = and(eq(pipelines.orgId, ctx.orgId), eq(pipelines.id, id));
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(pipelines)
      .set({ ...patch, updatedAt: Date.now() })
      .where(where)
      .returning({ id: pipelines.id }),
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'pipeline.updated',
        entityType: 'pipeline',
        entityId: id,
        metadata: { ...patch },
      },
      sql`EXISTS (SELECT 1 FROM ${pipelines} WHERE ${where})`,
    ),
  ]);
  if (!row) throw notFound('Pipeline');
  return getPipelineWithGraph(ctx.db, ctx.orgId, id);
}

/** Deletes the pipeline with its versions. */
export async function deletePipeline(ctx: OrgCtx, id: string) {
  const where = and(eq(pipelines.orgId, ctx.orgId), eq(pipelines.id, id));
  const [, [row]] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      { orgId: ctx.orgId, action: 'pipeline.deleted', entityType: 'pipeline', entityId: id },
      sql`EXISTS (SELECT 1 FROM ${pipelines} WHERE ${where})`,
    ),
    ctx.db.delete(pipelines).where(where).returning({ id: pipelines.id }),
  ]);
  if (!row) throw notFound('Pipeline');
}

/**
 * Makes the pipeline its project's (or, without a project, the organization's) default, or stops
 * it being one. The previous default is cleared in the same batch; the partial unique indexes
 * settle two pipelines made default at once.
 */
export async function setDefault(ctx: OrgCtx, id: string, isDefault: boolean): Promise<PipelineWithGraph> {
  const current = await getPipelineWithGraph(ctx.db, ctx.orgId, id);
  if (current.pipeline.isDefault === isDefault) return current;
  const where = and(eq(pipelines.orgId, ctx.orgId), eq(pipelines.id, id));
  const [, [row]] = await commit(
    ctx.db,
    [
      // Unsetting, this clears nothing: the scope has no other default.
      clearDefault(ctx, current.pipeline.projectId, id),
      ctx.db.update(pipelines).set({ isDefault, updatedAt: Date.now() }).where(where).returning(),
      activityInsertIf(
        ctx,
        {
          orgId: ctx.orgId,
          action: isDefault ? 'pipeline.default_set' : 'pipeline.default_cleared',
          entityType: 'pipeline',
          entityId: id,
          metadata: { project_id: current.pipeline.projectId },
        },
        sql`EXISTS (SELECT 1 FROM ${pipelines} WHERE ${where})`,
      ),
    ],
    { unique: 'Another pipeline became the default at the same time; try again' },
  );
  if (!row) throw notFound('Pipeline');
  return { pipeline: row, version: current.version };
}
