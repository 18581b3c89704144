import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { call, unique } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

const step = (key: string, kind: string, config: Record<string, unknown>) => ({
  key,
  name: key[0]?.toUpperCase() + key.slice(1),
  kind,
  config,
  retry: { max_attempts: 1, backoff_ms: 0, max_backoff_ms: 0 },
  timeout_ms: 60_000,
});

/** One transform step, which needs no model. */
const ECHO = { steps: [step('echo', 'transform', { template: '{{input}}' })], edges: [] };

/** An approval, then a transform that shows what the approval gave. */
export const APPROVAL_PIPELINE = {
  steps: [
    step('gate', 'approval', { message: 'Ship {{input.version}}?', expires_in_seconds: 3600 }),
    step('after', 'transform', { template: 'approved: {{steps.gate.output}}' }),
  ],
  edges: [{ from: 'gate', to: 'after' }],
};

/** A pipeline with one version, written straight to D1 (pipelines' own API is not what is tested). */
export async function newGraphPipeline(
  u: TestUser,
  projectId: string | null = null,
  snapshot: object = ECHO,
) {
  const id = unique('pip_');
  const versionId = unique('pv_');
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO pipelines (id, org_id, project_id, name, concurrency, current_version_id, current_version,
         is_default, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'allow', ?, 1, 0, ?, ?, ?)`,
    ).bind(id, u.orgId, projectId, unique('Pipeline '), versionId, u.id, now, now),
    env.DB.prepare(
      `INSERT INTO pipeline_versions (id, org_id, pipeline_id, version, snapshot, created_by, created_at)
         VALUES (?, ?, ?, 1, ?, ?, ?)`,
    ).bind(versionId, u.orgId, id, JSON.stringify(snapshot), u.id, now),
  ]);
  return { id };
}

const assignmentsPath = (u: TestUser, projectId: string, rest = '') =>
  orgPath(u.orgId, `/projects/${projectId}/pipeline-assignments${rest}`);

export async function newAssignment(u: TestUser, projectId: string, body: Record<string, unknown>) {
  const res = await call(assignmentsPath(u, projectId), { token: u.token, body });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; next_fire_times: string[]; last_run: null | Record<string, unknown> };
}

export const assignmentPath = assignmentsPath;
