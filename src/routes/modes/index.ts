import { z } from '@hono/zod-openapi';
import {
  activeSession,
  cancelSession,
  completeSession,
  createMode,
  createSession,
  deleteMode,
  getMode,
  getSession,
  isDefault,
  listArtifacts,
  listModes,
  type ModeArtifactRow,
  type ModeRow,
  type ModeSessionRow,
  modeFromMarkdown,
  resetMode,
  updateMode,
  updateSessionDraft,
} from '../../domain/agent-design/modes';
import { DescriptionSchema, markdownUpload, SlugNameSchema } from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso, isoOrNull } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

const tags = ['Modes'];

const ModeSchema = z
  .object({
    id: z.string().openapi({ example: 'mod_01hv…' }),
    slug: z.string().openapi({ example: 'spec' }),
    name: z.string(),
    description: z.string().nullable(),
    instructions: z.string(),
    system: z.boolean().openapi({ description: 'Seeded for every organization; can be reset, not deleted' }),
    is_default: z.boolean().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Mode');

const toMode = (m: ModeRow): z.infer<typeof ModeSchema> => ({
  id: m.id,
  slug: m.slug,
  name: m.name,
  description: m.description,
  instructions: m.instructions,
  system: m.system,
  is_default: isDefault(m),
  created_at: iso(m.createdAt),
  updated_at: iso(m.updatedAt),
});

const SessionSchema = z
  .object({
    id: z.string().openapi({ example: 'mss_01hv…' }),
    mode_id: z.string(),
    project_id: z.string(),
    role_id: z.string(),
    status: z.enum(['active', 'completed', 'cancelled']),
    draft: z.string(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    ended_at: z.iso.datetime().nullable(),
  })
  .openapi('ModeSession');

const toSession = (s: ModeSessionRow): z.infer<typeof SessionSchema> => ({
  id: s.id,
  mode_id: s.modeId,
  project_id: s.projectId,
  role_id: s.roleId,
  status: s.status,
  draft: s.draft,
  created_by: s.createdBy,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
  ended_at: isoOrNull(s.endedAt),
});

const ArtifactSchema = z
  .object({
    id: z.string().openapi({ example: 'art_01hv…' }),
    session_id: z.string(),
    mode_id: z.string(),
    project_id: z.string(),
    role_id: z.string(),
    title: z.string(),
    content: z.string(),
    created_by: z.string(),
    created_at: z.iso.datetime(),
  })
  .openapi('ModeArtifact');

const toArtifact = (a: ModeArtifactRow): z.infer<typeof ArtifactSchema> => ({
  id: a.id,
  session_id: a.sessionId,
  mode_id: a.modeId,
  project_id: a.projectId,
  role_id: a.roleId,
  title: a.title,
  content: a.content,
  created_by: a.createdBy,
  created_at: iso(a.createdAt),
});

const ModeFields = z.object({
  slug: SlugNameSchema,
  name: z.string().min(1).max(100),
  description: DescriptionSchema.nullable().optional(),
  instructions: z.string().min(1).max(100_000),
});
const ModeParams = OrgParamsSchema.extend({ modeId: pathId('modeId', 'mod_01hv…') });
const SessionParams = OrgParamsSchema.extend({ sessionId: pathId('sessionId', 'mss_01hv…') });
const DraftSchema = z.string().max(200_000);
const ProjectId = z.string().min(1).max(64).openapi({ example: 'prj_01hv…' });

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

const createSessionRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/modes/{modeId}/sessions',
  tags,
  operationId: 'createModeSession',
  summary: 'Begin a mode session for a project and role (one active session per project and role)',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: {
    params: ModeParams,
    body: jsonBody(
      z
        .object({ project_id: ProjectId, role_id: z.string().max(64), draft: DraftSchema.optional() })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(SessionSchema, 'The session') },
});

const activeSessionRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mode-sessions/active',
  tags,
  operationId: 'getActiveModeSession',
  summary: 'The active mode session of a project and role',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: z.object({ project_id: ProjectId, role_id: z.string().max(64) }),
  },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const getSessionRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mode-sessions/{sessionId}',
  tags,
  operationId: 'getModeSession',
  summary: 'A mode session',
  access: canReadAgents,
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const updateSessionRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/mode-sessions/{sessionId}',
  tags,
  operationId: 'updateModeSessionDraft',
  summary: "Update an active session's draft; an ended one answers 409 naming its state",
  access: canDesign,
  conflicts: true,
  request: { params: SessionParams, body: jsonBody(z.object({ draft: DraftSchema }).strict()) },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const completeSessionRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/mode-sessions/{sessionId}/complete',
  tags,
  operationId: 'completeModeSession',
  summary: 'Complete an active session, storing its artifact (the draft unless content is given)',
  access: canDesign,
  conflicts: true,
  request: {
    params: SessionParams,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              title: z.string().min(1).max(200).optional(),
              content: z.string().min(1).max(200_000).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: jsonResponse(
      z.object({ session: SessionSchema, artifact: ArtifactSchema }),
      'The session and its artifact',
    ),
  },
});

const cancelSessionRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/mode-sessions/{sessionId}/cancel',
  tags,
  operationId: 'cancelModeSession',
  summary: 'Cancel an active session; nothing is stored',
  access: canDesign,
  conflicts: true,
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionSchema, 'The session') },
});

const artifactsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/mode-artifacts',
  tags,
  operationId: 'listModeArtifacts',
  summary: "A project's mode artifacts, newest first",
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: PageQuerySchema.extend({ project_id: ProjectId }) },
  responses: { 200: jsonResponse(pageOf(ArtifactSchema), 'A page of artifacts') },
});

export const modesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listModes(c.var.db, c.var.org.id, q.limit, await decodeCursor(c.env, q.cursor));
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.slug, toMode), 200);
  })
  .openapi(createRoute_, async (c) =>
    c.json(toMode(await createMode(ctxOf(c), c.var.org.id, c.req.valid('json'))), 201),
  )
  .openapi(uploadRoute, async (c) => {
    const { file } = c.req.valid('form');
    const row = await createMode(ctxOf(c), c.var.org.id, modeFromMarkdown(await file.text(), file.name));
    return c.json(toMode(row), 201);
  })
  .openapi(getRoute, async (c) =>
    c.json(toMode(await getMode(c.var.db, c.var.org.id, c.req.valid('param').modeId)), 200),
  )
  .openapi(updateRoute, async (c) => {
    const row = await updateMode(ctxOf(c), c.var.org.id, c.req.valid('param').modeId, c.req.valid('json'));
    return c.json(toMode(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteMode(ctxOf(c), c.var.org.id, c.req.valid('param').modeId);
    return c.body(null, 204);
  })
  .openapi(resetRoute, async (c) =>
    c.json(toMode(await resetMode(ctxOf(c), c.var.org.id, c.req.valid('param').modeId)), 200),
  )
  .openapi(createSessionRoute, async (c) => {
    const row = await createSession(ctxOf(c), c.var.org.id, c.req.valid('param').modeId, c.req.valid('json'));
    return c.json(toSession(row), 201);
  })
  .openapi(activeSessionRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(toSession(await activeSession(c.var.db, c.var.org.id, q.project_id, q.role_id)), 200);
  })
  .openapi(getSessionRoute, async (c) =>
    c.json(toSession(await getSession(c.var.db, c.var.org.id, c.req.valid('param').sessionId)), 200),
  )
  .openapi(updateSessionRoute, async (c) => {
    const row = await updateSessionDraft(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').sessionId,
      c.req.valid('json').draft,
    );
    return c.json(toSession(row), 200);
  })
  .openapi(completeSessionRoute, async (c) => {
    // The body is optional: without one, the draft becomes the artifact.
    const body = c.req.header('Content-Type')?.includes('json') ? c.req.valid('json') : {};
    const r = await completeSession(ctxOf(c), c.var.org.id, c.req.valid('param').sessionId, body);
    return c.json({ session: toSession(r.session), artifact: toArtifact(r.artifact) }, 200);
  })
  .openapi(cancelSessionRoute, async (c) =>
    c.json(toSession(await cancelSession(ctxOf(c), c.var.org.id, c.req.valid('param').sessionId)), 200),
  )
  .openapi(artifactsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listArtifacts(
      c.var.db,
      c.var.org.id,
      q.project_id,
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.id, toArtifact), 200);
  });
