import { z } from '@hono/zod-openapi';
import {
  LINK_KINDS,
  type LinkKind,
  listRoleLinks,
  removeRoleLink,
  setRoleLink,
} from '../../domain/agent-design/role-links';
import { jsonResponse, noContent } from '../../http/openapi';
import { pathId } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadAgents } from '../agents/agents';
import { canDesign } from './roles';
import { LinkBody, McpLinkBody, RoleLinkSchema, RoleParams, toLink } from './schemas';

const tags = ['Agent roles'];

const linkPaths: Record<LinkKind, { segment: string; param: string; example: string; op: string }> = {
  skill: { segment: 'skills', param: 'skillId', example: 'skl_01hv…', op: 'Skill' },
  mode: { segment: 'modes', param: 'modeId', example: 'mod_01hv…', op: 'Mode' },
  mcp_server: { segment: 'mcp-servers', param: 'mcpServerId', example: 'mcp_01hv…', op: 'McpServer' },
};

export const roleLinksRouter = createRouter();

for (const kind of Object.keys(LINK_KINDS) as LinkKind[]) {
  const { segment, param, example, op } = linkPaths[kind];
  const label = LINK_KINDS[kind].label;
  const path = `/orgs/{orgId}/roles/{roleId}/${segment}`;
  const itemPath = `${path}/{${param}}`;
  const itemParams = RoleParams.extend({ [param]: pathId(param, example) });
  // The path parameter's name differs per kind, so handlers read it by name.
  const targetOf = (p: Record<string, string>) => p[param]!;

  roleLinksRouter
    .openapi(
      orgRoute({
        method: 'get',
        path,
        tags,
        operationId: `listRole${op}s`,
        summary: `${label}s assigned to the role, each with its enabled toggle`,
        access: canReadAgents,
        request: { params: RoleParams },
        responses: {
          200: jsonResponse(z.object({ data: z.array(RoleLinkSchema) }), 'The assignments'),
        },
      }),
      async (c) => {
        const links = await listRoleLinks(c.var.db, c.var.org.id, c.req.valid('param').roleId, kind);
        return c.json({ data: links.map(toLink) }, 200);
      },
    )
    .openapi(
      orgRoute({
        method: 'put',
        path: itemPath,
        tags,
        operationId: `setRole${op}`,
        summary: `Assign a ${label.toLowerCase()} to the role, or toggle its assignment`,
        access: canDesign,
        request: {
          params: itemParams,
          body: {
            required: false,
            content: {
              'application/json': { schema: kind === 'mcp_server' ? McpLinkBody : LinkBody },
            },
          },
        },
        responses: { 200: jsonResponse(RoleLinkSchema, 'The assignment') },
      }),
      async (c) => {
        const p = c.req.param() as Record<string, string>;
        const body: z.infer<typeof McpLinkBody> = c.req.header('Content-Type')?.includes('json')
          ? c.req.valid('json')
          : { enabled: true };
        const link = await setRoleLink(c.var.ctx, p.roleId!, kind, targetOf(p), {
          enabled: body.enabled,
          requiresApproval: body.requires_approval,
        });
        return c.json(toLink(link), 200);
      },
    )
    .openapi(
      orgRoute({
        method: 'delete',
        path: itemPath,
        tags,
        operationId: `removeRole${op}`,
        summary: `Remove a ${label.toLowerCase()} from the role`,
        access: canDesign,
        request: { params: itemParams },
        responses: { 204: noContent },
      }),
      async (c) => {
        const p = c.req.param() as Record<string, string>;
        await removeRoleLink(c.var.ctx, p.roleId!, kind, targetOf(p));
        return c.body(null, 204);
      },
    );
}
