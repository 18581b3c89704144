import { z } from '@hono/zod-openapi';
import {
  activeSession,
  cancelSession,
  completeSession,
  createSession,
  getSession,
  listArtifacts,
  updateSessionDraft,
} from '../../domain/agent-design/mode-sessions';
import { jsonBody, jsonResponse } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { OrgParamsSchema } from '../../http/params';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';
import {
  ArtifactSchema,
  DraftSchema,
  ModeParams,
  ProjectId,
  SessionParams,
  SessionSchema,
  toArtifact,
  toSession,
} from './schemas';

const tags = ['Modes'];

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

export const modeSessionRoutes = createRouter()
  .openapi(createSessionRoute, async (c) => {
    const row = await createSession(c.var.ctx, c.req.valid('param').modeId, c.req.valid('json'));
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
      c.var.ctx,
      c.req.valid('param').sessionId,
      c.req.valid('json').draft,
    );
    return c.json(toSession(row), 200);
  })
  .openapi(completeSessionRoute, async (c) => {
    // The body is optional: without one, the draft becomes the artifact.
    const body = c.req.header('Content-Type')?.includes('json') ? c.req.valid('json') : {};
    const r = await completeSession(c.var.ctx, c.req.valid('param').sessionId, body);
    return c.json({ session: toSession(r.session), artifact: toArtifact(r.artifact) }, 200);
  })
  .openapi(cancelSessionRoute, async (c) =>
    c.json(toSession(await cancelSession(c.var.ctx, c.req.valid('param').sessionId)), 200),
  )
  .openapi(artifactsRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(await paged(c.env, q, (p) => listArtifacts(c.var.ctx, q.project_id, p), toArtifact), 200);
  });
