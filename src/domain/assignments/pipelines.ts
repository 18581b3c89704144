import { pipelines } from '../../db/schema';
import { invalid } from '../agents/shared';
import type { OrgCtx } from '../context';
import { findInOrg } from '../lookup';

/** A project runs the organization's pipelines and its own, not another project's. */
export async function assertPipelineFor(ctx: OrgCtx, projectId: string, pipelineId: string) {
  const pipeline = await findInOrg(ctx.db, pipelines, ctx.orgId, pipelineId);
  if (!pipeline) throw invalid('pipeline_id', `Pipeline ${pipelineId} does not exist in this organization`);
  if (pipeline.projectId !== null && pipeline.projectId !== projectId)
    throw invalid('pipeline_id', `Pipeline ${pipelineId} belongs to another project`);
}
