import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { resolvePipelineVersion } from '../../src/domain/pipelines/resolve';
import { ApiError } from '../../src/lib/errors';
import {
  call,
  newPipeline,
  newProject,
  newUser,
  pipelinePath,
  type TestUser,
  transformStep,
} from '../support';

let u: TestUser;
beforeAll(async () => {
  u = await newUser('Runner');
});

const db = () => createDb(env.DB);
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err) => (err instanceof ApiError ? err.status : 500),
  );

describe('resolvePipelineVersion (for the run engine)', () => {
  it('pins the version a run names even after the pipeline has moved on', async () => {
    const p = await newPipeline(u);
    await call(pipelinePath(u.orgId, p.id, '/steps'), { token: u.token, body: transformStep('c') });

    const pinned = await resolvePipelineVersion(db(), u.orgId, { versionId: p.version_id });
    expect(pinned.version.version).toBe(1);
    expect(pinned.snapshot.steps.map((s) => s.key)).toEqual(['a', 'b']);

    const current = await resolvePipelineVersion(db(), u.orgId, { pipelineId: p.id });
    expect(current.version.version).toBe(2);
    expect(current.snapshot.steps.map((s) => s.key)).toEqual(['a', 'b', 'c']);
  });

  it('falls back to the project’s default pipeline, then the organization’s', async () => {
    const owner = await newUser();
    const project = await newProject(owner);
    const orgWide = await newPipeline(owner, { is_default: true });
    expect((await resolvePipelineVersion(db(), owner.orgId, { projectId: project.id })).pipeline.id).toBe(
      orgWide.id,
    );
    const own = await newPipeline(owner, { project_id: project.id, is_default: true });
    expect((await resolvePipelineVersion(db(), owner.orgId, { projectId: project.id })).pipeline.id).toBe(
      own.id,
    );
    expect((await resolvePipelineVersion(db(), owner.orgId, {})).pipeline.id).toBe(orgWide.id);
  });

  it('answers 404 for another organization’s pipeline or version and 422 without any pipeline', async () => {
    const stranger = await newUser();
    const p = await newPipeline(u);
    expect(await statusOf(resolvePipelineVersion(db(), stranger.orgId, { pipelineId: p.id }))).toBe(404);
    expect(await statusOf(resolvePipelineVersion(db(), stranger.orgId, { versionId: p.version_id }))).toBe(
      404,
    );
    const q = await newPipeline(u);
    expect(
      await statusOf(resolvePipelineVersion(db(), u.orgId, { pipelineId: q.id, versionId: p.version_id })),
    ).toBe(404);
    expect(await statusOf(resolvePipelineVersion(db(), stranger.orgId, {}))).toBe(422);
  });
});
