import { env } from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { APPROVAL_PIPELINE, assignmentPath, newAssignment, newGraphPipeline } from './assignments';
import { call } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';
import { newProject } from './work';

const runObject = (runId: string) => env.PIPELINE_RUN.get(env.PIPELINE_RUN.idFromName(runId));

/** The run's step states, from its object. */
export async function stepState(runId: string, key: string) {
  const snapshot = await runObject(runId).snapshot();
  return snapshot?.steps.find((s) => s.key === key);
}

/** Waits (on the real STEPS queue, no fixed sleep) until the run's status is one of `statuses`. */
export async function runReaches(runId: string, ...statuses: string[]) {
  await vi.waitFor(
    async () => {
      const row = await env.DB.prepare('SELECT status FROM runs WHERE id = ?')
        .bind(runId)
        .first<{ status: string }>();
      expect(statuses).toContain(row?.status);
    },
    { timeout: 15_000, interval: 50 },
  );
}

/**
 * Starts a run of a pipeline whose first step is an approval (through an assignment's manual
 * trigger) and waits until that step waits; returns the run and its approval.
 */
export async function waitingApproval(u: TestUser, input: unknown = { version: 'v1' }) {
  const project = await newProject(u);
  const pipeline = await newGraphPipeline(u, null, APPROVAL_PIPELINE);
  const a = await newAssignment(u, project.id, {
    pipeline_id: pipeline.id,
    cron: '@yearly',
    enabled: false,
    input_template: input,
  });
  const triggered = await call(assignmentPath(u, project.id, `/${a.id}/trigger`), {
    method: 'POST',
    token: u.token,
  });
  expect(triggered.status, triggered.text).toBe(202);
  const runId = triggered.json.run_id as string;
  await vi.waitFor(async () => expect((await stepState(runId, 'gate'))?.state).toBe('waiting'), {
    timeout: 15_000,
    interval: 50,
  });
  const list = await call(orgPath(u.orgId, `/approvals?run_id=${runId}`), { token: u.token });
  expect(list.status, list.text).toBe(200);
  expect(list.json.data).toHaveLength(1);
  return { runId, pipelineId: pipeline.id, approval: list.json.data[0] as { id: string; status: string } };
}

/** Issues the public link of an approval; returns its token. */
export async function approvalLink(u: TestUser, approvalId: string) {
  const res = await call(orgPath(u.orgId, `/approvals/${approvalId}/link`), {
    method: 'POST',
    token: u.token,
  });
  expect(res.status, res.text).toBe(200);
  return res.json.token as string;
}

export const publicApproval = (token: string, body?: unknown, ip?: string) =>
  call(`/api/v1/approvals/public/${token}`, { ...(body === undefined ? {} : { body }), ip });
