import {
  createMode,
  deleteMode,
  getMode,
  listModes,
  modeFromMarkdown,
  resetMode,
  updateMode,
} from '../../domain/agent-design/modes';
import { markdownUpload } from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';
import { ModeFields, ModeParams, ModeSchema, toMode } from './schemas';

const tags = ['Modes'];

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/modes',
  tags,
  operationId: 'listModes',
  summary: 'Modes by slug: the system modes (seeded for every organization) and custom ones',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: PageQuerySchema },
  responses: { 200: jsonResponse(pageOf(ModeSchema), 'A page of modes') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/modes',
  tags,
  operationId: 'createMode',
  summary: 'Create a custom mode',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(ModeFields.strict()) },
  responses: { 201: jsonResponse(ModeSchema, 'The mode') },
});

const uploadRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/modes/upload',
  tags,
  operationId: 'uploadMode',
  summary: 'Create a mode from a Markdown file with front matter (slug, name, description)',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: markdownUpload('A Markdown file') },
  responses: { 201: jsonResponse(ModeSchema, 'The mode') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/modes/{modeId}',
  tags,
  operationId: 'getMode',
  summary: 'A mode',
  access: canReadAgents,
  request: { params: ModeParams },
  responses: { 200: jsonResponse(ModeSchema, 'The mode') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/modes/{modeId}',
  tags,
  operationId: 'updateMode',
  summary: 'Change a mode',
  access: canDesign,
  conflicts: true,
  request: {
    params: ModeParams,
    body: jsonBody(
      ModeFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(ModeSchema, 'The mode') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/modes/{modeId}',
  tags,
  operationId: 'deleteMode',
  summary: 'Delete a custom mode without active sessions; system modes answer 409',
  access: canDesign,
  conflicts: true,
  request: { params: ModeParams },
  responses: { 204: noContent },
});

const resetRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/modes/{modeId}/reset',
  tags,
  operationId: 'resetMode',
  summary: 'Reset a system mode to its default; custom modes answer 409',
  access: canDesign,
  conflicts: true,
  request: { params: ModeParams },
  responses: { 200: jsonResponse(ModeSchema, 'The mode') },
});

export const modeRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => listModes(c.var.ctx, p), toMode, 'slug'), 200);
  })
  .openapi(createRoute_, async (c) => c.json(toMode(await createMode(c.var.ctx, c.req.valid('json'))), 201))
  .openapi(uploadRoute, async (c) => {
    const { file } = c.req.valid('form');
    const row = await createMode(c.var.ctx, modeFromMarkdown(await file.text(), file.name));
    return c.json(toMode(row), 201);
  })
  .openapi(getRoute, async (c) =>
    c.json(toMode(await getMode(c.var.db, c.var.org.id, c.req.valid('param').modeId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const row = await updateMode(c.var.ctx, c.req.valid('param').modeId, c.req.valid('json'));
    return c.json(toMode(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteMode(c.var.ctx, c.req.valid('param').modeId);
    return c.body(null, 204);
  })
  .openapi(resetRoute, async (c) =>
    c.json(toMode(await resetMode(c.var.ctx, c.req.valid('param').modeId)), 200),
  );
