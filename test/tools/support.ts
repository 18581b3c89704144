import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { createDb } from '../../src/db/client';
import type { OrgCtx } from '../../src/domain/context';
import { call, orgPath, type TestUser, unique } from '../support';

/** The context a chat reply or run step has when it acts for `user` in their organization. */
export const orgCtx = (user: TestUser, orgId = user.orgId): OrgCtx => ({
  env,
  db: createDb(env.DB),
  actor: { type: 'user', id: user.id },
  ip: null,
  org: { id: orgId, role: 'owner', scopes: null },
  orgId,
});

/** A custom role (optionally with built-ins needing approval) and an agent that has it. */
export async function agentWithRole(user: TestUser, role: Record<string, unknown> = {}) {
  const created = await call(orgPath(user.orgId, '/roles'), {
    token: user.token,
    body: { slug: unique('role'), name: 'Helper', ...role },
  });
  expect(created.status, created.text).toBe(201);
  const agent = await call(orgPath(user.orgId, '/agents'), {
    token: user.token,
    body: { name: unique('agent'), role_id: created.json.id },
  });
  expect(agent.status, agent.text).toBe(201);
  return { roleId: created.json.id as string, agentId: agent.json.id as string };
}
