import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateHostReason } from '../../src/domain/agent-design/mcp/outbound-url';
import {
  call,
  expectProblem,
  newAgent,
  newApiKey,
  newUser,
  orgPath,
  readEvents,
  type TestUser,
  unique,
} from '../support';
import { FIXTURE_TOKEN, FIXTURE_URL, installMcpFixture } from '../support/mcp-server';

let owner: TestUser;
let fixture: ReturnType<typeof installMcpFixture>;
beforeAll(async () => {
  owner = await newUser('Toolsmith');
  fixture = installMcpFixture();
});
afterAll(() => fixture.restore());

const post = (rest: string, body: unknown, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { token: user.token, body });
const get = (rest: string, user = owner) => call(orgPath(user.orgId, `/${rest}`), { token: user.token });

async function newServer(body: Record<string, unknown> = {}) {
  const res = await post('mcp-servers', {
    name: unique('tools'),
    url: FIXTURE_URL,
    headers: { Authorization: FIXTURE_TOKEN },
    ...body,
  });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

describe('outbound URL checks', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    'localhost',
    'api.localhost',
    'printer.local',
    'metadata.google.internal',
    'intranet',
  ])('refuses %s', (host) => {
    expect(privateHostReason(host)).not.toBeNull();
  });

  it.each(['example.com', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1', 'mcp.example.org'])(
    'allows %s',
    (host) => {
      expect(privateHostReason(host)).toBeNull();
    },
  );

  it.each([
    'https://127.0.0.1/mcp',
    'https://2130706433/mcp',
    'https://0x7f.1/mcp',
    'https://[::ffff:127.0.0.1]/mcp',
    'https://169.254.169.254/latest/meta-data',
    'https://localhost:8080/mcp',
    'http://mcp.example.com/mcp',
    'https://user:pass@mcp.example.com/mcp',
    'ftp://mcp.example.com',
    'not a url',
  ])('refuses to configure an MCP server at %s with 422 on url', async (url) => {
    const res = await post('mcp-servers', { name: unique('bad'), url });
    expect(expectProblem(res, 422).errors[0].path).toBe('url');
  });
});

describe('MCP server configurations', () => {
  it('keeps headers in the vault and shows only their names', async () => {
    const s = await newServer({ headers: { Authorization: FIXTURE_TOKEN, 'X-Team': 'blue' } });
    expect(s).toMatchObject({ header_names: ['Authorization', 'X-Team'], status: 'unknown', tools: [] });
    const got = await get(`mcp-servers/${s.id}`);
    expect(got.text).not.toContain('fixture-token');
    const vault = await get('vault/items?limit=100');
    expect(vault.json.data.map((i: any) => i.name)).toContain(`mcp.${s.id}.headers`);
    expect(JSON.stringify(vault.json)).not.toContain('fixture-token');
  });

  it('lists, updates and deletes a server (and its stored headers)', async () => {
    const s = await newServer();
    expect((await get('mcp-servers?limit=100')).json.data.map((x: any) => x.id)).toContain(s.id);
    const upd = await call(orgPath(owner.orgId, `/mcp-servers/${s.id}`), {
      method: 'PATCH',
      token: owner.token,
      body: { description: 'Fixture', headers: null },
    });
    expect(upd.json).toMatchObject({ description: 'Fixture', header_names: [] });
    const vault = await get('vault/items?limit=100');
    expect(vault.json.data.map((i: any) => i.name)).not.toContain(`mcp.${s.id}.headers`);
    expect(
      (await call(orgPath(owner.orgId, `/mcp-servers/${s.id}`), { method: 'DELETE', token: owner.token }))
        .status,
    ).toBe(204);
    expectProblem(await get(`mcp-servers/${s.id}`), 404);
  });

  it('refuses a duplicate name with 409', async () => {
    const s = await newServer();
    expectProblem(await post('mcp-servers', { name: s.name, url: FIXTURE_URL }), 409);
  });
});

describe('connecting and calling tools through the official MCP SDK', () => {
  it('connects, discovers the tools and stores them, sending the stored headers', async () => {
    const s = await newServer();
    const res = await post(`mcp-servers/${s.id}/connect`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      status: 'connected',
      status_detail: null,
      last_connected_at: expect.any(String),
    });
    expect(res.json.tools.map((t: any) => t.name).sort()).toEqual(['add', 'echo', 'explode']);
    expect(res.json.tools.find((t: any) => t.name === 'echo').input_schema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
    });
    expect(fixture.seen.at(-1)!.headers.get('Authorization')).toBe(FIXTURE_TOKEN);
    const tools = await get(`mcp-servers/${s.id}/tools`);
    expect(tools.json.data).toHaveLength(3);
  });

  it('records a failed connection as status error with the reason', async () => {
    const s = await newServer({ headers: { Authorization: 'Bearer wrong' } });
    const res = await post(`mcp-servers/${s.id}/connect`, {});
    expect(res.status, res.text).toBe(200);
    expect(res.json.status).toBe('error');
    expect(res.json.status_detail).toEqual(expect.any(String));
  });

  it('calls a tool for an agent: the result, an agent.tool_call event and an activity entry', async () => {
    const s = await newServer();
    await post(`mcp-servers/${s.id}/connect`, {});
    const agent = await newAgent(owner);
    const res = await post(`mcp-servers/${s.id}/tools/add/call`, {
      agent_id: agent.id,
      arguments: { a: 2, b: 3 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      is_error: false,
      content: [{ type: 'text', text: '5' }],
      structured_content: { sum: 5 },
      seq: 2,
    });
    const events = await readEvents(owner, agent.id, '?channels=agent.tool_call');
    expect(events.data[0]).toMatchObject({
      type: 'agent.tool_call',
      payload: { server_id: s.id, tool: 'add', is_error: false, arguments: { a: 2, b: 3 }, via: 'platform' },
    });
    const activity = await get(`activity?entity_id=${agent.id}&action=agent.tool_call`);
    expect(activity.json.data).toHaveLength(1);
  });

  it('reports a failing tool as is_error, still recorded', async () => {
    const s = await newServer();
    await post(`mcp-servers/${s.id}/connect`, {});
    const agent = await newAgent(owner);
    const res = await post(`mcp-servers/${s.id}/tools/explode/call`, { agent_id: agent.id });
    expect(res.status, res.text).toBe(200);
    expect(res.json.is_error).toBe(true);
    expect(JSON.stringify(res.json.content)).toContain('kaboom');
    expect((await readEvents(owner, agent.id, '?channels=agent.tool_call')).data[0].payload.is_error).toBe(
      true,
    );
  });

  it('refuses a tool that was not discovered with 404, and a call without an agent with 422', async () => {
    const s = await newServer();
    await post(`mcp-servers/${s.id}/connect`, {});
    const agent = await newAgent(owner);
    expectProblem(await post(`mcp-servers/${s.id}/tools/nope/call`, { agent_id: agent.id }), 404);
    expectProblem(await post(`mcp-servers/${s.id}/tools/echo/call`, { arguments: { text: 'x' } }), 422);
  });

  it("refuses a call for another organization's agent with 404", async () => {
    const other = await newUser('Other');
    const theirs = await newAgent(other);
    const s = await newServer();
    await post(`mcp-servers/${s.id}/connect`, {});
    expectProblem(
      await post(`mcp-servers/${s.id}/tools/echo/call`, { agent_id: theirs.id, arguments: { text: 'x' } }),
      404,
    );
  });

  it('is callable by an agent runtime key with agents:runtime', async () => {
    const s = await newServer();
    await post(`mcp-servers/${s.id}/connect`, {});
    const agent = await newAgent(owner);
    const { key } = await newApiKey(owner, owner.orgId, ['agents:runtime']);
    const res = await call(orgPath(owner.orgId, `/mcp-servers/${s.id}/tools/echo/call`), {
      token: key,
      body: { agent_id: agent.id, arguments: { text: 'hi' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.content).toEqual([{ type: 'text', text: 'hi' }]);
  });
});

describe('merged MCP configuration', () => {
  it("gives a role's (and its agents') enabled servers, without header values", async () => {
    const user = await newUser('Config');
    const role = await post('roles', { slug: 'cfg', name: 'Cfg' }, user);
    const make = async (name: string) =>
      (await post('mcp-servers', { name, url: FIXTURE_URL, headers: { Authorization: FIXTURE_TOKEN } }, user))
        .json;
    const on = await make('alpha');
    const toggledOff = await make('beta');
    await make('gamma');
    await post(`mcp-servers/${on.id}/connect`, {}, user);
    const link = (id: string, enabled: boolean) =>
      call(orgPath(user.orgId, `/roles/${role.json.id}/mcp-servers/${id}`), {
        method: 'PUT',
        token: user.token,
        body: { enabled },
      });
    await link(on.id, true);
    await link(toggledOff.id, false);

    const forRole = await get(`mcp-config?role_id=${role.json.id}`, user);
    expect(forRole.status, forRole.text).toBe(200);
    expect(Object.keys(forRole.json.mcpServers)).toEqual(['alpha']);
    expect(forRole.json.mcpServers.alpha).toMatchObject({
      id: on.id,
      type: 'streamable_http',
      header_names: ['Authorization'],
      tools: expect.arrayContaining(['echo', 'add']),
      call_path: `/api/v1/orgs/${user.orgId}/mcp-servers/${on.id}/tools/{tool}/call`,
    });
    expect(forRole.text).not.toContain('fixture-token');

    const agent = await newAgent(user, { role_id: role.json.id });
    expect((await get(`mcp-config?agent_id=${agent.id}`, user)).json.mcpServers).toEqual(
      forRole.json.mcpServers,
    );
    expect(Object.keys((await get('mcp-config', user)).json.mcpServers)).toEqual(['alpha', 'beta', 'gamma']);
  });
});
