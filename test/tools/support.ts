import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { createDb } from '../../src/db/client';
import type { OrgCtx } from '../../src/domain/context';
import { call, orgPath, type TestUser, unique } from '../support';
import { FIXTURE_TOKEN, FIXTURE_URL } from '../support/mcp-server';

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

/**
 * The fixture MCP server (tools echo, add, explode; `installMcpFixture` must be in place),
 * registered and connected, assigned to a new role with `link`'s settings, and an agent with it.
 */
export async function agentWithServer(user: TestUser, link: Record<string, unknown> = {}) {
  const post = (rest: string, body: unknown, method = 'POST') =>
    call(orgPath(user.orgId, `/${rest}`), { method, token: user.token, body });
  const server = await post('mcp-servers', {
    name: unique('fixture'),
    url: FIXTURE_URL,
    headers: { Authorization: FIXTURE_TOKEN },
  });
  expect(server.status, server.text).toBe(201);
  expect((await post(`mcp-servers/${server.json.id}/connect`, {})).json.status).toBe('connected');
  const { roleId, agentId } = await agentWithRole(user);
  const linked = await post(`roles/${roleId}/mcp-servers/${server.json.id}`, link, 'PUT');
  expect(linked.status, linked.text).toBe(200);
  return { server: server.json as { id: string; name: string }, roleId, agentId, link: linked.json };
}
