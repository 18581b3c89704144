import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, newUser, orgPath, type TestUser } from '../support';
import { approvalLink, publicApproval, runReaches, stepState, waitingApproval } from '../support/approvals';
import { cron } from '../support/cron';

let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  owner = await newUser('Approver');
  stranger = await newUser('Stranger');
});

describe('an approval step through its public link', () => {
  it('shows the context without a login, and approving resumes the run', async () => {
    const { runId, pipelineId, approval } = await waitingApproval(owner, { version: 'v1' });
    expect(approval.status).toBe('pending');
    const token = await approvalLink(owner, approval.id);

    const view = await publicApproval(token);
    expect(view.status, view.text).toBe(200);
    expect(view.json).toMatchObject({
      status: 'pending',
      context: {
        pipeline: { id: pipelineId },
        step: { key: 'gate', name: 'Gate' },
        message: 'Ship v1?',
        input_summary: '{"version":"v1"}',
      },
      decided_at: null,
    });

    const decided = await publicApproval(token, { decision: 'approve', comment: 'Looks good' });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.json).toMatchObject({ status: 'approved', comment: 'Looks good' });
    await runReaches(runId, 'succeeded');
    expect((await stepState(runId, 'gate'))?.output).toMatchObject({ approved: true, comment: 'Looks good' });

    const read = await call(orgPath(owner.orgId, `/approvals/${approval.id}`), { token: owner.token });
    expect(read.json).toMatchObject({
      status: 'approved',
      decided_by: 'public',
      has_link: true,
      run_id: runId,
    });
  });

  it('works once: the used link answers 410 to a view or another decision', async () => {
    const { approval } = await waitingApproval(owner);
    const token = await approvalLink(owner, approval.id);
    expect((await publicApproval(token, { decision: 'reject' })).status).toBe(200);
    expect(expectProblem(await publicApproval(token, { decision: 'approve' }), 410).detail).toMatch(
      /already rejected/,
    );
    expectProblem(await publicApproval(token), 410);
  });

  it('rejecting fails the step and the run, with the comment as the reason', async () => {
    const { runId, approval } = await waitingApproval(owner);
    const token = await approvalLink(owner, approval.id);
    const res = await publicApproval(token, { decision: 'reject', comment: 'Not this week' });
    expect(res.json.status).toBe('rejected');
    await runReaches(runId, 'failed');
    const gate = await stepState(runId, 'gate');
    expect(gate).toMatchObject({ state: 'failed', error: expect.stringContaining('Not this week') });
    expect((await stepState(runId, 'after'))?.state).toBe('skipped');
  });

  it('expires unanswered: the cron job fails the step and the link answers 410', async () => {
    const { runId, approval } = await waitingApproval(owner);
    const token = await approvalLink(owner, approval.id);
    await cron(Date.now() + 2 * 3_600_000);
    await runReaches(runId, 'failed');
    expect((await stepState(runId, 'gate'))?.error).toMatch(/expired/);
    expect(expectProblem(await publicApproval(token), 410).detail).toMatch(/already expired/);
    const read = await call(orgPath(owner.orgId, `/approvals/${approval.id}`), { token: owner.token });
    expect(read.json).toMatchObject({ status: 'expired', decided_by: null });
  });

  it('decides only its own step; unknown and replaced links are 404', async () => {
    const first = await waitingApproval(owner);
    const second = await waitingApproval(owner);
    const stale = await approvalLink(owner, first.approval.id);
    const token = await approvalLink(owner, first.approval.id);
    const secondToken = await approvalLink(owner, second.approval.id);
    expectProblem(await publicApproval(stale), 404);
    expectProblem(await publicApproval('apv_not-a-token'), 404);
    expect((await publicApproval(token, { decision: 'approve' })).status).toBe(200);
    await runReaches(first.runId, 'succeeded');
    expect((await publicApproval(secondToken)).json.status).toBe('pending');
    expect((await stepState(second.runId, 'gate'))?.state).toBe('waiting');
  });

  it('is rate limited per address like other unauthenticated routes', async () => {
    const ip = '203.0.113.77';
    const answers: number[] = [];
    for (let i = 0; i < 30; i++) answers.push((await publicApproval('apv_unknown', undefined, ip)).status);
    expect(answers.every((s) => s === 404)).toBe(true);
    const limited = await publicApproval('apv_unknown', undefined, ip);
    expectProblem(limited, 429);
    expect(limited.headers.get('Retry-After')).toBeTruthy();
    expect(limited.headers.get('RateLimit-Policy')).toContain('"approval-ip";q=30;w=60');
  });
});

describe('approvals in the organization', () => {
  it('a member approves once; a second decision is 409', async () => {
    const { runId, approval } = await waitingApproval(owner);
    const path = orgPath(owner.orgId, `/approvals/${approval.id}`);
    const res = await call(`${path}/approve`, { token: owner.token, body: { comment: 'ok' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: 'approved', decided_by: owner.id, comment: 'ok' });
    await runReaches(runId, 'succeeded');
    expectProblem(await call(`${path}/reject`, { token: owner.token, body: {} }), 409);
    expectProblem(await call(`${path}/link`, { method: 'POST', token: owner.token }), 409);
  });

  it('another organization’s approval is 404, whatever the operation', async () => {
    const { approval } = await waitingApproval(owner);
    const theirs = (rest: string) => orgPath(stranger.orgId, `/approvals/${approval.id}${rest}`);
    expectProblem(await call(theirs(''), { token: stranger.token }), 404);
    expectProblem(await call(theirs('/approve'), { token: stranger.token, body: {} }), 404);
    expectProblem(await call(theirs('/reject'), { token: stranger.token, body: {} }), 404);
    expectProblem(await call(theirs('/link'), { method: 'POST', token: stranger.token }), 404);
    const list = await call(orgPath(stranger.orgId, '/approvals'), { token: stranger.token });
    expect(list.json.data).toEqual([]);
    expect(
      (await call(orgPath(owner.orgId, `/approvals/${approval.id}`), { token: owner.token })).json.status,
    ).toBe('pending');
  });
});
