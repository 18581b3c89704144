import { expect } from 'vitest';
import { call, orgPath, type TestUser } from '../support';

export const memoryPath = (orgId: string, rest = '') => orgPath(orgId, `/memory${rest}`);

/** Writes a memory entry through the API and returns it. */
export async function remember(user: TestUser, body: Record<string, unknown>, orgId = user.orgId) {
  const res = await call(memoryPath(orgId), { token: user.token, body: { kind: 'fact', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; agent_id: string | null; tags: string[]; [k: string]: unknown };
}

export async function searchMemory(user: TestUser, query: string, orgId = user.orgId) {
  const res = await call(memoryPath(orgId, `/search?${query}`), { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.json.data as { entry: { id: string; content: string }; score: number; snippet: string }[];
}
