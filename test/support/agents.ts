import { expect } from 'vitest';
import { call, unique } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

/** Creates an agent through the API and returns it. */
export async function newAgent(user: TestUser, body: Record<string, unknown> = {}, orgId = user.orgId) {
  const res = await call(orgPath(orgId, '/agents'), {
    token: user.token,
    body: { name: unique('agent'), ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; name: string; status: string; [k: string]: unknown };
}

/** Publishes runtime events to an agent's hub and returns them as stored. */
export async function publish(
  user: TestUser,
  agentId: string,
  count: number,
  type = 'agent.output',
  orgId = user.orgId,
) {
  const stored: any[] = [];
  for (let i = 0; i < count; i += 100) {
    const events = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({
      type,
      payload: { n: i + j },
    }));
    const res = await call(orgPath(orgId, `/agents/${agentId}/events`), {
      token: user.token,
      body: { events },
    });
    expect(res.status, res.text).toBe(201);
    stored.push(...res.json.data);
  }
  return stored;
}

export async function readEvents(user: TestUser, agentId: string, query = '', orgId = user.orgId) {
  const res = await call(orgPath(orgId, `/agents/${agentId}/events${query}`), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.json;
}
