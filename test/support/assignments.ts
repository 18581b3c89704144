import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { call, unique } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

/** A one-step pipeline (a transform, which needs no model), written straight to D1. */
export async function newPipeline(u: TestUser, projectId: string | null = null) {
  const id = unique('pip_');
  const versionId = unique('pv_');
  const now = Date.now();
  const snapshot = {
    steps: [
      {
        key: 'echo',
        name: 'Echo',
        kind: 'transform',
        config: { template: '{{input}}' },
        retry: { max_attempts: 1, backoff_ms: 0, max_backoff_ms: 0 },
        timeout_ms: 60_000,
      },
    ],
    edges: [],
  };
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
