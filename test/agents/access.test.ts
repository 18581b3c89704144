import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  orgPath,
  type TestUser,
  unique,
} from '../support';

/** The ids a route's path may need; each test fills them from one organization. */
interface Ids {
  agent: string;
  role: string;
  skill: string;
  mode: string;
  session: string;
  rule: string;
  template: string;
  mcp: string;
  assignment: string;
  project: string;
}

interface RouteCase {
  name: string;
  method: string;
  path: (ids: Ids) => string;
  body?: unknown;
  /** A body or query that fails validation (sent by the owner, who may do everything). */
  invalid?: { path?: (ids: Ids) => string; body?: unknown };
  write: boolean;
  /** Whether the path names a resource of the organization (so another's answers 404). */
  resource: boolean;
}

const r = (
  name: string,
  method: string,
  path: (ids: Ids) => string,
  opts: Partial<Pick<RouteCase, 'body' | 'invalid' | 'write'>> = {},
): RouteCase => ({
  name,
  method,
  path,
  write: method !== 'GET',
  ...opts,
  resource: path(new Proxy({} as Ids, { get: () => '\u0000' })).includes('\u0000'),
});

const routes: RouteCase[] = [
  r('create agent', 'POST', () => 'agents', {
    body: { name: 'x' },
    invalid: { body: { name: 'Not Valid' } },
  }),
  r('list agents', 'GET', () => 'agents', { invalid: { path: () => 'agents?limit=0' } }),
  r('get agent', 'GET', (i) => `agents/${i.agent}`),
  r('update agent', 'PATCH', (i) => `agents/${i.agent}`, {
    body: { description: 'd' },
    invalid: { body: { color: 'red' } },
  }),
  r('delete agent', 'DELETE', (i) => `agents/${i.agent}`),
  r('list tags', 'GET', () => 'agent-tags'),
  r('match tags', 'GET', () => 'agent-tags/match?tags=a', {
    invalid: { path: () => 'agent-tags/match?tags=' },
  }),
  ...['start', 'stop', 'pause', 'resume', 'restart'].map((c) =>
    r(`${c} agent`, 'POST', (i) => `agents/${i.agent}/${c}`),
  ),
  r('heartbeat', 'POST', (i) => `agents/${i.agent}/heartbeat`, {
    body: {},
    invalid: { body: { status: 'asleep' } },
  }),
  r('send message', 'POST', (i) => `agents/${i.agent}/messages`, {
    body: { content: 'hi' },
    invalid: { body: {} },
  }),
  r('publish events', 'POST', (i) => `agents/${i.agent}/events`, {
    body: { type: 'agent.output', payload: {} },
    invalid: { body: { type: 'agent.output' } },
  }),
  r('read events', 'GET', (i) => `agents/${i.agent}/events`, {
    invalid: { path: (i) => `agents/${i.agent}/events?after=-1` },
  }),
  r('read org events', 'GET', () => 'agent-events', { invalid: { path: () => 'agent-events?channels=Bad' } }),
  r('agent stream', 'GET', (i) => `agents/${i.agent}/stream?channels=none.x`, {
    invalid: { path: (i) => `agents/${i.agent}/stream?channels=BAD` },
  }),
  r('org stream', 'GET', () => 'agent-stream?channels=none.x', {
    invalid: { path: () => 'agent-stream?after=x' },
  }),
  r('stream ticket', 'POST', () => 'stream-tickets', {
    body: {},
    invalid: { body: { agent_id: 5 } },
    write: false,
  }),
  r('list templates', 'GET', () => 'agent-templates'),
  r('create template', 'POST', () => 'agent-templates', {
    body: { name: 'T', slug: 't' },
    invalid: { body: { name: 'T' } },
  }),
  r('get template', 'GET', (i) => `agent-templates/${i.template}`),
  r('update template', 'PATCH', (i) => `agent-templates/${i.template}`, {
    body: { featured: true },
    invalid: { body: { sort_order: 'x' } },
  }),
  r('archive template', 'DELETE', (i) => `agent-templates/${i.template}`),
  r('agent from template', 'POST', (i) => `agent-templates/${i.template}/agents`, {
    body: { name: 'fresh' },
    invalid: { body: {} },
  }),
  r('list roles', 'GET', () => 'roles'),
  r('create role', 'POST', () => 'roles', {
    body: { slug: 'x', name: 'X' },
    invalid: { body: { slug: 'x' } },
  }),
  r('get role', 'GET', (i) => `roles/${i.role}`),
  r('update role', 'PATCH', (i) => `roles/${i.role}`, {
    body: { name: 'Y' },
    invalid: { body: { platform_scopes: ['root'] } },
  }),
  r('delete role', 'DELETE', (i) => `roles/${i.role}`),
  r('preview role prompt', 'POST', (i) => `roles/${i.role}/preview`, {
    body: {},
    invalid: { body: { context: 'x' } },
    write: false,
  }),
  r('reset role', 'POST', (i) => `roles/${i.role}/reset`),
  ...(
    [
      ['skills', 'skill'],
      ['modes', 'mode'],
      ['mcp-servers', 'mcp'],
    ] as const
  ).flatMap(([segment, key]) => [
    r(`list role ${segment}`, 'GET', (i) => `roles/${i.role}/${segment}`),
    r(`set role ${segment}`, 'PUT', (i) => `roles/${i.role}/${segment}/${i[key]}`, {
      body: { enabled: true },
      invalid: { body: { enabled: 'yes' } },
    }),
    r(`remove role ${segment}`, 'DELETE', (i) => `roles/${i.role}/${segment}/${i[key]}`),
  ]),
  r('assign role', 'POST', () => 'role-assignments', {
    body: { role_id: 'x', agent_id: 'y' },
    invalid: { body: { role_id: 'x' } },
  }),
  r('list assignments', 'GET', () => 'role-assignments'),
  r('my assignments', 'GET', () => 'role-assignments/mine'),
  r('get assignment', 'GET', (i) => `role-assignments/${i.assignment}`),
  r('delete assignment', 'DELETE', (i) => `role-assignments/${i.assignment}`),
  r('list skills', 'GET', () => 'skills', { invalid: { path: () => 'skills?enabled=maybe' } }),
  r('create skill', 'POST', () => 'skills', {
    body: { name: 's', instructions: 'i' },
    invalid: { body: { name: 's' } },
  }),
  r('upload skill', 'POST', () => 'skills/upload', { body: {} }),
  r('get skill', 'GET', (i) => `skills/${i.skill}`),
  r('update skill', 'PATCH', (i) => `skills/${i.skill}`, {
    body: { enabled: false },
    invalid: { body: { enabled: 'no' } },
  }),
  r('delete skill', 'DELETE', (i) => `skills/${i.skill}`),
  r('store skill credentials', 'PUT', (i) => `skills/${i.skill}/credentials`, {
    body: { values: { K: 'v' } },
    invalid: { body: { values: {} } },
  }),
  r('revoke skill credentials', 'DELETE', (i) => `skills/${i.skill}/credentials`),
  r('skill credential status', 'GET', (i) => `skills/${i.skill}/credentials/status`),
  r('skill instructions', 'GET', (i) => `skill-instructions?role_id=${i.role}`, {
    invalid: { path: () => 'skill-instructions' },
  }),
  r('list modes', 'GET', () => 'modes'),
  r('create mode', 'POST', () => 'modes', {
    body: { slug: 'm', name: 'M', instructions: 'i' },
    invalid: { body: { slug: 'm' } },
  }),
  r('upload mode', 'POST', () => 'modes/upload', { body: {} }),
  r('get mode', 'GET', (i) => `modes/${i.mode}`),
  r('update mode', 'PATCH', (i) => `modes/${i.mode}`, { body: { name: 'N' }, invalid: { body: {} } }),
  r('delete mode', 'DELETE', (i) => `modes/${i.mode}`),
  r('reset mode', 'POST', (i) => `modes/${i.mode}/reset`),
  r('create mode session', 'POST', (i) => `modes/${i.mode}/sessions`, {
    body: { project_id: 'p', role_id: 'r' },
    invalid: { body: { project_id: 'p' } },
  }),
  r('active mode session', 'GET', (i) => `mode-sessions/active?project_id=${i.project}&role_id=${i.role}`, {
    invalid: { path: () => 'mode-sessions/active' },
  }),
  r('get mode session', 'GET', (i) => `mode-sessions/${i.session}`),
  r('update mode session', 'PATCH', (i) => `mode-sessions/${i.session}`, {
    body: { draft: 'd' },
    invalid: { body: {} },
  }),
  r('complete mode session', 'POST', (i) => `mode-sessions/${i.session}/complete`, {
    body: { content: 'c' },
    invalid: { body: { content: '' } },
  }),
  r('cancel mode session', 'POST', (i) => `mode-sessions/${i.session}/cancel`),
  r('list artifacts', 'GET', () => 'mode-artifacts?project_id=p', {
    invalid: { path: () => 'mode-artifacts' },
  }),
  r('list rules', 'GET', () => 'rules', { invalid: { path: () => 'rules?scope=some' } }),
  r('create rule', 'POST', () => 'rules', { body: { rule: 'r' }, invalid: { body: { rule: '' } } }),
  r('get rule', 'GET', (i) => `rules/${i.rule}`),
  r('update rule', 'PATCH', (i) => `rules/${i.rule}`, {
    body: { rule: 'r2' },
    invalid: { body: { permanent: true } },
  }),
  r('delete rule', 'DELETE', (i) => `rules/${i.rule}`),
  r('list mcp servers', 'GET', () => 'mcp-servers'),
  r('create mcp server', 'POST', () => 'mcp-servers', {
    body: { name: 'm', url: 'https://mcp.example.com' },
    invalid: { body: { name: 'm', url: 'https://10.0.0.1' } },
  }),
  r('get mcp server', 'GET', (i) => `mcp-servers/${i.mcp}`),
  r('update mcp server', 'PATCH', (i) => `mcp-servers/${i.mcp}`, {
    body: { enabled: false },
    invalid: { body: { url: 'https://localhost' } },
  }),
  r('delete mcp server', 'DELETE', (i) => `mcp-servers/${i.mcp}`),
  r('connect mcp server', 'POST', (i) => `mcp-servers/${i.mcp}/connect`),
  r('list mcp tools', 'GET', (i) => `mcp-servers/${i.mcp}/tools`),
  r('call mcp tool', 'POST', (i) => `mcp-servers/${i.mcp}/tools/echo/call`, {
    body: { agent_id: 'a' },
    invalid: { body: { arguments: {} } },
  }),
  r('merged mcp config', 'GET', (i) => `mcp-config?role_id=${i.role}`, {
    invalid: { path: () => 'mcp-config?role_id=a&agent_id=b' },
  }),
];

let owner: TestUser;
let outsider: TestUser;
let viewer: TestUser;
let member: TestUser;
let ownerIds: Ids;
let outsiderIds: Ids;
let unrelatedKey: string;

/** One of each resource in the user's personal organization. */
async function resources(user: TestUser): Promise<Ids> {
  const post = async (rest: string, body: unknown) => {
    const res = await call(orgPath(user.orgId, `/${rest}`), { token: user.token, body });
    expect(res.status, `${rest}: ${res.text}`).toBe(201);
    return res.json.id as string;
  };
  const agent = (await newAgent(user)).id;
  const role = await post('roles', { slug: unique('role'), name: 'Role' });
  const mode = await post('modes', { slug: unique('mode'), name: 'Mode', instructions: 'i' });
  const project = await post('projects', { name: unique('project') });
  return {
    agent,
    role,
    mode,
    project,
    skill: await post('skills', { name: unique('skill'), instructions: 'i' }),
    session: await post(`modes/${mode}/sessions`, { project_id: project, role_id: role }),
    rule: await post('rules', { rule: 'Be kind' }),
    template: await post('agent-templates', { name: 'T', slug: unique('tpl') }),
    mcp: await post('mcp-servers', { name: unique('mcp'), url: 'https://mcp.example.com/mcp' }),
    assignment: await post('role-assignments', { role_id: role, agent_id: agent }),
  };
}

beforeAll(async () => {
  [owner, outsider, viewer, member] = await Promise.all([
    newUser('Owner'),
    newUser('Outsider'),
    newUser('Viewer'),
    newUser('Member'),
  ]);
  await addMember(owner, owner.orgId, viewer, 'viewer');
  await addMember(owner, owner.orgId, member, 'member');
  [ownerIds, outsiderIds] = await Promise.all([resources(owner), resources(outsider)]);
  unrelatedKey = (await newApiKey(owner, owner.orgId, ['activity:read'])).key;
});

const send = (route: RouteCase, token: string | undefined, orgId: string, ids: Ids, body = route.body) =>
  call(orgPath(orgId, `/${route.path(ids)}`), { method: route.method, token, body });

describe.each(routes)('$name ($method)', (route) => {
  it('answers 401 without credentials', async () => {
    expectProblem(await send(route, undefined, owner.orgId, ownerIds), 401);
  });

  it('answers 404 to a caller outside the organization, as if it did not exist', async () => {
    expectProblem(await send(route, outsider.token, owner.orgId, ownerIds), 404);
  });

  it('answers 403 to an API key without the scope', async () => {
    expectProblem(await send(route, unrelatedKey, owner.orgId, ownerIds), 403);
  });
});

describe.each(routes.filter((r) => r.resource))('$name ($method) across organizations', (route) => {
  it("answers 404 for another organization's resource in one's own organization", async () => {
    expectProblem(await send(route, owner.token, owner.orgId, outsiderIds), 404);
  });
});

describe.each(routes.filter((r) => r.write))('$name ($method) by a viewer', (route) => {
  it('answers 403', async () => {
    expectProblem(await send(route, viewer.token, owner.orgId, ownerIds), 403);
  });
});

// Streams are read by viewers too; their tests open them (an open stream never completes here).
describe.each(routes.filter((r) => !r.write && !/^(agent|org) stream$/.test(r.name)))(
  '$name ($method) by a viewer',
  (route) => {
    it('is allowed', async () => {
      const res = await send(route, viewer.token, owner.orgId, ownerIds);
      expect(res.status, res.text).toBeLessThan(300);
    });
  },
);

describe.each(routes.filter((r) => r.invalid !== undefined))(
  '$name ($method) with invalid input',
  (route) => {
    it('answers 422', async () => {
      const inv = route.invalid!;
      const res = await call(orgPath(owner.orgId, `/${(inv.path ?? route.path)(ownerIds)}`), {
        method: route.method,
        token: owner.token,
        body: inv.body ?? route.body,
      });
      expectProblem(res, 422);
    });
  },
);

describe('members change, viewers read', () => {
  it('lets a member create and change an agent and design resources', async () => {
    const a = await newAgent(member, {}, owner.orgId);
    expect(
      (await call(orgPath(owner.orgId, `/agents/${a.id}/pause`), { token: member.token, body: {} })).status,
    ).toBe(200);
    const rule = await call(orgPath(owner.orgId, '/rules'), {
      token: member.token,
      body: { rule: 'From a member' },
    });
    expect(rule.status).toBe(201);
  });
});
