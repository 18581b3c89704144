import { and, desc, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { pipelines, pipelineVersions } from '../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import { findInOrg } from '../lookup';
import type { Snapshot } from './snapshot';

export type Pipeline = typeof pipelines.$inferSelect;
export type PipelineVersion = typeof pipelineVersions.$inferSelect;

export interface ResolvedVersion {
  pipeline: Pipeline;
  version: PipelineVersion;
  snapshot: Snapshot;
}

export interface VersionChoice {
  pipelineId?: string | null;
  /** Pins this version; with `pipelineId` too, it must be one of that pipeline's. */
  versionId?: string | null;
  /** Neither given: the project's default pipeline, else the organization's. */
  projectId?: string | null;
}

/**
 * The pipeline version a run starts with: the one named, the pipeline's current one, or the
 * default pipeline's current one. Missing or another organization's: 404.
 */
export async function resolvePipelineVersion(
  db: Db,
  orgId: string,
  choice: VersionChoice,
): Promise<ResolvedVersion> {
  if (choice.versionId) {
    const version = await findInOrg(db, pipelineVersions, orgId, choice.versionId);
    if (!version || (choice.pipelineId && version.pipelineId !== choice.pipelineId))
      throw notFound('Pipeline version');
    const pipeline = await findInOrg(db, pipelines, orgId, version.pipelineId);
    if (!pipeline) throw notFound('Pipeline');
    return { pipeline, version, snapshot: version.snapshot };
  }
  const pipeline = choice.pipelineId
    ? await findInOrg(db, pipelines, orgId, choice.pipelineId)
    : await defaultPipeline(db, orgId, choice.projectId ?? null);
  if (!pipeline) {
    if (choice.pipelineId) throw notFound('Pipeline');
    throw new ApiError(
      'validation',
      'Name a pipeline: there is no default pipeline for this project or organization',
      {
        errors: [{ path: 'pipeline_id', message: 'Required when no default pipeline is set' }],
      },
    );
  }
  const version = await findInOrg(db, pipelineVersions, orgId, pipeline.currentVersionId);
  if (!version) throw notFound('Pipeline version');
  return { pipeline, version, snapshot: version.snapshot };
}

/** The project's default pipeline, else the organization-wide one (one read). */
export async function defaultPipeline(
  db: Db,
  orgId: string,
  projectId: string | null,
): Promise<Pipeline | undefined> {
  const scope = projectId
    ? or(eq(pipelines.projectId, projectId), isNull(pipelines.projectId))
    : isNull(pipelines.projectId);
  const rows = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.orgId, orgId), eq(pipelines.isDefault, true), scope))
    // A project's default (project_id set) sorts before the organization's (NULL) descending.
    .orderBy(desc(pipelines.projectId))
    .limit(1);
  return rows[0];
}
