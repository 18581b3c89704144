import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newApiKey,
  newPipeline,
  newProject,
  newUser,
  orgPath,
  pipelinePath,
  type TestUser,
  transformStep,
} from '../support';

let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  [owner, other] = await Promise.all([newUser('Pipeliner'), newUser('Outsider')]);
});

describe('pipelines', () => {
  it('creates, reads, lists, updates and deletes a pipeline with its graph', async () => {
    const created = await newPipeline(owner, { name: 'Ship it', description: 'Build then test' });
    expect(created).toMatchObject({
      name: 'Ship it',
      description: 'Build then test',
      project_id: null,
      concurrency: 'reject',
      is_default: false,
      version: 1,
      version_id: expect.stringMatching(/^plv_/),
      edges: [{ from: 'a', to: 'b' }],
    });
    expect(created.steps[0]).toMatchObject({ key: 'a', kind: 'transform', retry: { max_attempts: 3 } });

    const got = await call(pipelinePath(owner.orgId, created.id), { token: owner.token });
    expect(got.json).toEqual(created);

    const list = await call(orgPath(owner.orgId, '/pipelines?limit=100'), { token: owner.token });
    const listed = list.json.data.find((p: { id: string }) => p.id === created.id);
    expect(listed).toMatchObject({ id: created.id, version: 1 });
    expect(listed.steps).toBeUndefined();

    const patched = await call(pipelinePath(owner.orgId, created.id), {
      method: 'PATCH',
      token: owner.token,
      body: { name: 'Ship', concurrency: 'enqueue' },
    });
    expect(patched.status, patched.text).toBe(200);
    // Metadata is not part of the graph: no new version.
    expect(patched.json).toMatchObject({ name: 'Ship', concurrency: 'enqueue', version: 1 });

    const del = await call(pipelinePath(owner.orgId, created.id), { method: 'DELETE', token: owner.token });
    expect(del.status).toBe(204);
    expectProblem(await call(pipelinePath(owner.orgId, created.id), { token: owner.token }), 404);
    const versions = await env.DB.prepare('SELECT count(*) AS n FROM pipeline_versions WHERE pipeline_id = ?')
      .bind(created.id)
      .first<{ n: number }>();
    expect(versions!.n).toBe(0);
  });

  it('refuses a project of another organization as a validation failure', async () => {
    const theirs = await newProject(other);
    const res = await call(orgPath(owner.orgId, '/pipelines'), {
      token: owner.token,
      body: { name: 'x', project_id: theirs.id },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('project_id');
  });

  it('replays a create with the same Idempotency-Key instead of making a second pipeline', async () => {
    const key = crypto.randomUUID();
    const body = { name: 'Once', steps: [transformStep('only')] };
    const headers = { 'Idempotency-Key': key };
    const first = await call(orgPath(owner.orgId, '/pipelines'), { token: owner.token, body, headers });
    const again = await call(orgPath(owner.orgId, '/pipelines'), { token: owner.token, body, headers });
    expect(first.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
  });
});

describe('default pipeline', () => {
  it('keeps one default per project and one for the organization', async () => {
    const u = await newUser();
    const project = await newProject(u);
    const orgWide = await newPipeline(u, { is_default: true });
    const p1 = await newPipeline(u, { project_id: project.id, is_default: true });
    const p2 = await newPipeline(u, { project_id: project.id });

    const set = await call(pipelinePath(u.orgId, p2.id, '/default'), { method: 'PUT', token: u.token });
    expect(set.status, set.text).toBe(200);
    expect(set.json.is_default).toBe(true);

    const defaults = await call(orgPath(u.orgId, '/pipelines?default=true'), { token: u.token });
    expect(defaults.json.data.map((p: { id: string }) => p.id).sort()).toEqual([orgWide.id, p2.id].sort());
    const first = await call(pipelinePath(u.orgId, p1.id), { token: u.token });
    expect(first.json.is_default).toBe(false);

    const cleared = await call(pipelinePath(u.orgId, p2.id, '/default'), {
      method: 'DELETE',
      token: u.token,
    });
    expect(cleared.json.is_default).toBe(false);
    const inProject = await call(orgPath(u.orgId, `/pipelines?project_id=${project.id}&default=true`), {
      token: u.token,
    });
    expect(inProject.json.data).toEqual([]);
  });

  it('a new organization-wide default replaces the previous one at creation', async () => {
    const u = await newUser();
    const a = await newPipeline(u, { is_default: true });
    const b = await newPipeline(u, { is_default: true });
    const got = await call(pipelinePath(u.orgId, a.id), { token: u.token });
    expect(got.json.is_default).toBe(false);
    expect(b.is_default).toBe(true);
  });
});

describe('pipeline access', () => {
  it('answers 404 for another organization’s pipeline, exactly as for a missing one', async () => {
    const theirs = await newPipeline(other);
    for (const [method, rest, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'mine' }],
      ['DELETE', '', undefined],
      ['PUT', '/default', undefined],
      ['GET', '/steps', undefined],
      ['GET', '/versions', undefined],
      ['GET', `/versions/${theirs.version_id}`, undefined],
      ['POST', '/edges', { from: 'b', to: 'a' }],
    ] as const) {
      const res = await call(pipelinePath(owner.orgId, theirs.id, rest), {
        method,
        token: owner.token,
        body,
      });
      expectProblem(res, 404);
    }
    const still = await call(pipelinePath(other.orgId, theirs.id), { token: other.token });
    expect(still.json).toMatchObject({ name: theirs.name, version: 1 });
  });

  it('lets viewers read but not write, and API keys only with the pipelines scopes', async () => {
    const viewer = await newUser('Viewer');
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const p = await newPipeline(owner);
    expect((await call(pipelinePath(owner.orgId, p.id), { token: viewer.token })).status).toBe(200);
    expectProblem(
      await call(orgPath(owner.orgId, '/pipelines'), { token: viewer.token, body: { name: 'v' } }),
      403,
    );
    expectProblem(
      await call(pipelinePath(owner.orgId, p.id, '/steps'), {
        token: viewer.token,
        body: transformStep('c'),
      }),
      403,
    );

    const reader = await newApiKey(owner, owner.orgId, ['pipelines:read']);
    const writer = await newApiKey(owner, owner.orgId, ['pipelines:write']);
    const unrelated = await newApiKey(owner, owner.orgId, ['projects:read']);
    expect((await call(pipelinePath(owner.orgId, p.id), { token: reader.key })).status).toBe(200);
    expectProblem(await call(pipelinePath(owner.orgId, p.id), { token: unrelated.key }), 403);
    expectProblem(
      await call(orgPath(owner.orgId, '/pipelines'), { token: reader.key, body: { name: 'r' } }),
      403,
    );
    const made = await call(orgPath(owner.orgId, '/pipelines'), { token: writer.key, body: { name: 'w' } });
    expect(made.status, made.text).toBe(201);
  });
});
