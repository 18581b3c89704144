import { z } from '@hono/zod-openapi';
import {
  activeInstructions,
  createSkill,
  deleteSkill,
  getSkill,
  listSkills,
  revokeSkillCredentials,
  type SkillRow,
  skillCredentialStatus,
  skillFromMarkdown,
  storeSkillCredentials,
  updateSkill,
} from '../../domain/agent-design/skills';
import { DescriptionSchema, JsonObjectSchema, markdownUpload, SlugNameSchema } from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso, isoOrNull } from '../../lib/time';
import { canReadAgents } from '../agents/agents';
import { canDesign } from '../roles';

const tags = ['Skills'];

const SkillSchema = z
  .object({
    id: z.string().openapi({ example: 'skl_01hv…' }),
    name: z.string().openapi({ example: 'web-search' }),
    description: z.string().nullable(),
    instructions: z.string().openapi({ description: 'Markdown the agent is given when the skill is active' }),
    enabled: z.boolean(),
    metadata: z.record(z.string(), z.unknown()),
    has_credentials: z
      .boolean()
      .openapi({ description: 'Whether credentials are stored; never their values' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Skill');

const toSkill = (s: SkillRow): z.infer<typeof SkillSchema> => ({
  id: s.id,
  name: s.name,
  description: s.description,
  instructions: s.instructions,
  enabled: s.enabled,
  metadata: s.metadata,
  has_credentials: s.credentialsItemId !== null,
  created_by: s.createdBy,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

const SkillFields = z.object({
  name: SlugNameSchema,
  description: DescriptionSchema.nullable().optional(),
  instructions: z.string().min(1).max(100_000),
  enabled: z.boolean().optional(),
  metadata: JsonObjectSchema().optional(),
});

const Params = OrgParamsSchema.extend({ skillId: pathId('skillId', 'skl_01hv…') });

const CredentialStatusSchema = z
  .object({ set: z.boolean(), updated_at: z.iso.datetime().nullable() })
  .openapi('SkillCredentialStatus');

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/skills',
  tags,
  operationId: 'listSkills',
  summary: 'Skills by name',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: PageQuerySchema.extend({ enabled: z.enum(['true', 'false']).optional() }),
  },
  responses: { 200: jsonResponse(pageOf(SkillSchema), 'A page of skills') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/skills',
  tags,
  operationId: 'createSkill',
  summary: 'Create a skill',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(SkillFields.strict()) },
  responses: { 201: jsonResponse(SkillSchema, 'The skill') },
});

const uploadRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/skills/upload',
  tags,
  operationId: 'uploadSkill',
  summary: 'Create a skill from a Markdown file with front matter (name, description, enabled)',
  description:
    'The front matter holds `key: value` lines (strings, numbers, booleans, `[a, b]` lists); ' +
    'other keys are kept as metadata. Without a name, the file name is used. The body is the instructions.',
  access: canDesign,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: markdownUpload('A Markdown file') },
  responses: { 201: jsonResponse(SkillSchema, 'The skill') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/skills/{skillId}',
  tags,
  operationId: 'getSkill',
  summary: 'A skill',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(SkillSchema, 'The skill') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/skills/{skillId}',
  tags,
  operationId: 'updateSkill',
  summary: 'Change a skill, or enable or disable it',
  access: canDesign,
  conflicts: true,
  request: {
    params: Params,
    body: jsonBody(
      SkillFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(SkillSchema, 'The skill') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/skills/{skillId}',
  tags,
  operationId: 'deleteSkill',
  summary: 'Delete a skill, its role assignments and its credentials',
  access: canDesign,
  request: { params: Params },
  responses: { 204: noContent },
});

const storeCredentialsRoute = orgRoute({
  method: 'put',
  path: '/orgs/{orgId}/skills/{skillId}/credentials',
  tags,
  operationId: 'storeSkillCredentials',
  summary: "Store the skill's credentials, encrypted in the vault; they are never returned",
  access: canDesign,
  conflicts: true,
  request: {
    params: Params,
    body: jsonBody(
      z
        .object({
          values: z
            .record(
              z
                .string()
                .min(1)
                .max(100)
                .regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
              z.string().min(1).max(8192),
            )
            .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 20, 'Give 1–20 values')
            .openapi({ example: { API_KEY: 'sk-…' } }),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonResponse(CredentialStatusSchema, 'Stored') },
});

const revokeCredentialsRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/skills/{skillId}/credentials',
  tags,
  operationId: 'revokeSkillCredentials',
  summary: "Revoke the skill's credentials: they are deleted from the vault",
  access: canDesign,
  request: { params: Params },
  responses: { 204: noContent },
});

const credentialStatusRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/skills/{skillId}/credentials/status',
  tags,
  operationId: 'skillCredentialStatus',
  summary: 'Whether the skill has credentials stored (never what they are)',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(CredentialStatusSchema, 'The status') },
});

const instructionsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/skill-instructions',
  tags,
  operationId: 'activeSkillInstructions',
  summary: "The combined instructions of the skills active for a role, or for an agent's role",
  description: 'Active: the skill is enabled, assigned to the role, and the assignment is enabled.',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: z
      .object({ role_id: z.string().max(64).optional(), agent_id: z.string().max(64).optional() })
      .refine(
        (q) => (q.role_id === undefined) !== (q.agent_id === undefined),
        'Give either role_id or agent_id',
      ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        role_id: z.string().nullable(),
        skills: z.array(z.object({ id: z.string(), name: z.string() })),
        instructions: z.string(),
      }),
      'The instructions',
    ),
  },
});

export const skillsRouter = createRouter()
  .openapi(instructionsRoute, async (c) => {
    const q = c.req.valid('query');
    const r = await activeInstructions(c.var.db, c.var.org.id, { roleId: q.role_id, agentId: q.agent_id });
    return c.json({ role_id: r.roleId, skills: r.skills, instructions: r.instructions }, 200);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const enabled = q.enabled === undefined ? undefined : q.enabled === 'true';
    const rows = await listSkills(
      c.var.db,
      c.var.org.id,
      { enabled },
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, (r) => r.name, toSkill), 200);
  })
  .openapi(createRoute_, async (c) => {
    const row = await createSkill(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toSkill(row), 201);
  })
  .openapi(uploadRoute, async (c) => {
    const { file } = c.req.valid('form');
    const row = await createSkill(ctxOf(c), c.var.org.id, skillFromMarkdown(await file.text(), file.name));
    return c.json(toSkill(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const row = await getSkill(c.var.db, c.var.org.id, c.req.valid('param').skillId);
    return c.json(toSkill(row), 200);
  })
  .openapi(updateRoute, async (c) => {
    const row = await updateSkill(ctxOf(c), c.var.org.id, c.req.valid('param').skillId, c.req.valid('json'));
    return c.json(toSkill(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteSkill(ctxOf(c), c.var.org.id, c.req.valid('param').skillId);
    return c.body(null, 204);
  })
  .openapi(storeCredentialsRoute, async (c) => {
    const s = await storeSkillCredentials(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').skillId,
      c.req.valid('json').values,
    );
    return c.json({ set: s.set, updated_at: iso(s.updatedAt) }, 200);
  })
  .openapi(revokeCredentialsRoute, async (c) => {
    await revokeSkillCredentials(ctxOf(c), c.var.org.id, c.req.valid('param').skillId);
    return c.body(null, 204);
  })
  .openapi(credentialStatusRoute, async (c) => {
    const s = await skillCredentialStatus(c.var.db, c.var.org.id, c.req.valid('param').skillId);
    return c.json({ set: s.set, updated_at: isoOrNull(s.updatedAt) }, 200);
  });
