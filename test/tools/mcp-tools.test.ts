import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTools } from '../../src/domain/tools';
import { toolNamer } from '../../src/domain/tools/names';
import { call, newUser, orgPath, readEvents, type TestUser, unique } from '../support';
import { installMcpFixture } from '../support/mcp-server';
import { agentWithRole, orgCtx, agentWithServer as withServer } from './support';

let owner: TestUser;
let fixture: ReturnType<typeof installMcpFixture>;
beforeAll(async () => {
  owner = await newUser('Integrator');
  fixture = installMcpFixture();
});
afterAll(() => fixture.restore());

const post = (rest: string, body: unknown, method = 'POST') =>
  call(orgPath(owner.orgId, `/${rest}`), { method, token: owner.token, body });

const agentWithServer = (link: Record<string, unknown> = {}) => withServer(owner, link);

describe("the role's MCP tools", () => {
  it('adds the tools of the role’s servers and calls them through the platform, recorded per call', async () => {
    const { server, agentId } = await agentWithServer();
    const tools = await agentTools(orgCtx(owner), agentId, { chatSessionId: 'chs_mcp' });
    const name = `${server.name}_add`;
    expect(tools.definitions[name]).toMatchObject({
      displayName: `${server.name}.add`,
      description: 'Adds two numbers',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
    });
    expect(tools.requiresApproval(name)).toBe(false);

    const result = await tools.execute(name, { a: 2, b: 5 });
    expect(result).toEqual({
      ok: true,
      output: { content: [{ type: 'text', text: '7' }], structured_content: { sum: 7 } },
    });
    const events = await readEvents(owner, agentId, '?channels=agent.tool_call');
    expect(events.data[0].payload).toMatchObject({
      server_id: server.id,
      tool: 'add',
      via: 'chat',
      chat_session_id: 'chs_mcp',
    });
  });

  it('reports a failing tool and arguments that are not an object as ok: false', async () => {
    const { server, agentId } = await agentWithServer();
    const tools = await agentTools(orgCtx(owner), agentId, {});
    const failed = await tools.execute(`${server.name}_explode`, {});
    expect(failed.ok).toBe(false);
    expect(JSON.stringify(failed.output)).toContain('kaboom');
    expect(await tools.execute(`${server.name}_echo`, ['not', 'an', 'object'])).toMatchObject({ ok: false });
  });

  it('leaves out a server whose assignment to the role is disabled', async () => {
    const { server, roleId, agentId } = await agentWithServer();
    await post(`roles/${roleId}/mcp-servers/${server.id}`, { enabled: false }, 'PUT');
    const tools = await agentTools(orgCtx(owner), agentId, {});
    expect(Object.keys(tools.definitions).filter((n) => n.startsWith(server.name))).toEqual([]);
  });

  it('follows the link’s requires_approval, which a later toggle without it keeps', async () => {
    const { server, roleId, agentId, link } = await agentWithServer({ requires_approval: true });
    expect(link).toMatchObject({ kind: 'mcp_server', enabled: true, requires_approval: true });
    let tools = await agentTools(orgCtx(owner), agentId, {});
    expect(tools.requiresApproval(`${server.name}_echo`)).toBe(true);
    expect(tools.requiresApproval('memory_recall')).toBe(false);

    const toggled = await post(`roles/${roleId}/mcp-servers/${server.id}`, { enabled: true }, 'PUT');
    expect(toggled.json.requires_approval).toBe(true);
    await post(`roles/${roleId}/mcp-servers/${server.id}`, { requires_approval: false }, 'PUT');
    tools = await agentTools(orgCtx(owner), agentId, {});
    expect(tools.requiresApproval(`${server.name}_echo`)).toBe(false);
  });

  it('refuses requires_approval on skill and mode links with 422', async () => {
    const { roleId } = await agentWithRole(owner);
    const skill = await post('skills', { name: unique('skill'), instructions: 'Be brief' });
    expect(skill.status, skill.text).toBe(201);
    const res = await post(`roles/${roleId}/skills/${skill.json.id}`, { requires_approval: true }, 'PUT');
    expect(res.status).toBe(422);
  });
});

describe('tool names', () => {
  it('makes every name model-safe and unique, however long or alike the display names are', () => {
    const name = toolNamer();
    expect(name('memory.remember')).toBe('memory_remember');
    expect(name('my server.do thing!')).toBe('my_server_do_thing_');
    expect(name('memory_remember')).toBe('memory_remember_2');
    const long = name(`${'x'.repeat(80)}.tool`);
    const longer = name(`${'x'.repeat(80)}.other`);
    for (const n of [long, longer]) expect(n).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(long).not.toBe(longer);
  });
});
