import { expect } from 'vitest';
import { call, unique } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

/** A transform step: runs without a model, so graphs can be built without agents. */
export const transformStep = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  name: key,
  kind: 'transform',
  config: { template: `{{input}} via ${key}` },
  ...extra,
});

export const agentStep = (key: string, agentId: string) => ({
  key,
  name: key,
  kind: 'agent',
  config: { agent_id: agentId, prompt: 'Do {{input}}' },
});

/** Creates a pipeline through the API (transform steps a → b by default) and returns it. */
export async function newPipeline(u: TestUser, body: Record<string, unknown> = {}, orgId = u.orgId) {
  const res = await call(orgPath(orgId, '/pipelines'), {
    token: u.token,
    body: {
      name: unique('pipeline'),
      steps: [transformStep('a'), transformStep('b')],
      edges: [{ from: 'a', to: 'b' }],
      ...body,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as {
    id: string;
    version: number;
    version_id: string;
    is_default: boolean;
    steps: { key: string; [k: string]: unknown }[];
    edges: { from: string; to: string; condition?: unknown }[];
    [k: string]: unknown;
  };
}

export const pipelinePath = (orgId: string, pipelineId: string, rest = '') =>
  orgPath(orgId, `/pipelines/${pipelineId}${rest}`);
