import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  assignmentPath,
  call,
  expectProblem,
  newAssignment,
  newGraphPipeline,
  newProject,
  newUser,
  orgPath,
  type TestUser,
} from '../support';

let owner: TestUser;
let stranger: TestUser;
let projectId: string;
let pipelineId: string;

beforeAll(async () => {
  owner = await newUser('Scheduler');
  stranger = await newUser('Stranger');
  projectId = (await newProject(owner)).id;
  pipelineId = (await newGraphPipeline(owner)).id;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('pipeline assignments', () => {
  it('are created with defaults and show their next fire times in their time zone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2030-01-10T00:00:00Z'));
    const u = await newUser();
    const project = await newProject(u);
    const pipeline = await newGraphPipeline(u);
    const res = await call(assignmentPath(u, project.id), {
      token: u.token,
      body: { pipeline_id: pipeline.id, cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      project_id: project.id,
      pipeline_id: pipeline.id,
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      input_template: {},
      enabled: true,
      missed_policy: 'skip',
      missed_cap: 5,
      last_run: null,
    });
    // 10 January 2030 is a Thursday; 09:00 EST is 14:00Z.
    expect(res.json.next_fire_times).toHaveLength(5);
    expect(res.json.next_fire_times.slice(0, 3)).toEqual([
      '2030-01-10T14:00:00.000Z',
      '2030-01-11T14:00:00.000Z',
      '2030-01-14T14:00:00.000Z',
    ]);
    const two = await call(`${assignmentPath(u, project.id, `/${res.json.id}`)}?next=2`, { token: u.token });
    expect(two.json.next_fire_times).toEqual(['2030-01-10T14:00:00.000Z', '2030-01-11T14:00:00.000Z']);
  });

  it('are listed, read, changed and deleted within their project', async () => {
    const a = await newAssignment(owner, projectId, { pipeline_id: pipelineId, cron: '@hourly' });
    const list = await call(assignmentPath(owner, projectId), { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.json.data.map((x: { id: string }) => x.id)).toContain(a.id);

    const patched = await call(assignmentPath(owner, projectId, `/${a.id}`), {
      method: 'PATCH',
      token: owner.token,
      body: {
        enabled: false,
        missed_policy: 'each',
        missed_cap: 3,
        input_template: { at: '{{scheduled_at}}' },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({
      enabled: false,
      missed_policy: 'each',
      missed_cap: 3,
      input_template: { at: '{{scheduled_at}}' },
      next_fire_times: [],
    });

    const other = await newProject(owner);
    expect((await call(assignmentPath(owner, other.id, `/${a.id}`), { token: owner.token })).status).toBe(
      404,
    );
    const del = await call(assignmentPath(owner, projectId, `/${a.id}`), {
      method: 'DELETE',
      token: owner.token,
    });
    expect(del.status).toBe(204);
    expectProblem(await call(assignmentPath(owner, projectId, `/${a.id}`), { token: owner.token }), 404);
  });

  it('refuse an invalid cron expression, time zone or placeholder with a message saying what to change', async () => {
    const post = (body: Record<string, unknown>) =>
      call(assignmentPath(owner, projectId), {
        token: owner.token,
        body: { pipeline_id: pipelineId, ...body },
      });
    const badCron = expectProblem(await post({ cron: '61 * * * *' }), 422);
    expect(badCron.errors).toEqual([{ path: 'cron', message: expect.stringMatching(/minute: 61/) }]);
    const seconds = expectProblem(await post({ cron: '0 0 * * * *' }), 422);
    expect(seconds.errors[0].message).toMatch(/five fields/);
    const zone = expectProblem(await post({ cron: '@daily', timezone: 'Europe/Atlantis' }), 422);
    expect(zone.errors).toEqual([{ path: 'timezone', message: expect.stringMatching(/IANA name/) }]);
    const placeholder = expectProblem(await post({ cron: '@daily', input_template: { x: '{{nope}}' } }), 422);
    expect(placeholder.errors[0]).toMatchObject({
      path: 'input_template',
      message: expect.stringMatching(/\{\{nope\}\}/),
    });
    const cap = expectProblem(await post({ cron: '@daily', missed_policy: 'each', missed_cap: 0 }), 422);
    expect(cap.errors[0].path).toBe('missed_cap');
  });

  it('refuse another organization’s pipeline or another project’s pipeline', async () => {
    const foreign = await newGraphPipeline(stranger);
    const res = await call(assignmentPath(owner, projectId), {
      token: owner.token,
      body: { pipeline_id: foreign.id, cron: '@daily' },
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('pipeline_id');
    const elsewhere = await newGraphPipeline(owner, (await newProject(owner)).id);
    const res2 = await call(assignmentPath(owner, projectId), {
      token: owner.token,
      body: { pipeline_id: elsewhere.id, cron: '@daily' },
    });
    expect(expectProblem(res2, 422).detail).toMatch(/another project/);
  });

  it('answer 404 to another organization, whatever the operation', async () => {
    const a = await newAssignment(owner, projectId, { pipeline_id: pipelineId, cron: '@daily' });
    // The stranger names the owner's organization: not a member, so nothing there exists for them.
    const asStranger = (rest: string, init: { method?: string; body?: unknown } = {}) =>
      call(assignmentPath(owner, projectId, rest), { token: stranger.token, ...init });
    expectProblem(await asStranger(''), 404);
    expectProblem(await asStranger(`/${a.id}`), 404);
    expectProblem(await asStranger(`/${a.id}`, { method: 'PATCH', body: { enabled: false } }), 404);
    expectProblem(await asStranger(`/${a.id}/trigger`, { method: 'POST' }), 404);
    expectProblem(await asStranger(`/${a.id}`, { method: 'DELETE' }), 404);
    // And in their own organization, the owner's project and assignment do not exist.
    const own = `/projects/${projectId}/pipeline-assignments/${a.id}`;
    expectProblem(await call(orgPath(stranger.orgId, own), { token: stranger.token }), 404);
  });
});
