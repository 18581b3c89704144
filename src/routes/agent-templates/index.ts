import { z } from '@hono/zod-openapi';
import {
  archiveTemplate,
  createAgentFromTemplate,
  createTemplate,
  getTemplate,
  listTemplates,
  type TemplateRow,
  templateCursor,
  updateTemplate,
} from '../../domain/agent-design/templates';
import {
  ColorSchema,
  DescriptionSchema,
  EmojiSchema,
  JsonObjectSchema,
  ModelSchema,
  SlugNameSchema,
  TagsSchema,
} from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { decodeCursor, PageQuerySchema, pageOf, toPage } from '../../http/pagination';
import { OrgParamsSchema, pathId } from '../../http/params';
import { ctxOf } from '../../http/request';
import { orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { iso, isoOrNull } from '../../lib/time';
import { AgentFieldsSchema, canReadAgents, canWriteAgents } from '../agents/agents';
import { AgentSchema, toAgent } from '../agents/schemas';

const tags = ['Agent templates'];

const TemplateSchema = z
  .object({
    id: z.string().openapi({ example: 'tpl_01hv…' }),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    featured: z.boolean(),
    sort_order: z.number().int(),
    emoji: z.string().nullable(),
    color: z.string().nullable(),
    role_id: z.string().nullable(),
    model: z.string().nullable(),
    tools: z.array(z.string()),
    tags: z.array(z.string()),
    config: z.record(z.string(), z.unknown()),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    archived_at: z.iso.datetime().nullable(),
  })
  .openapi('AgentTemplate');

const toTemplate = (t: TemplateRow): z.infer<typeof TemplateSchema> => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  description: t.description,
  category: t.category,
  featured: t.featured,
  sort_order: t.sortOrder,
  emoji: t.emoji,
  color: t.color,
  role_id: t.roleId,
  model: t.model,
  tools: t.tools,
  tags: t.tags,
  config: t.config,
  created_by: t.createdBy,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
  archived_at: isoOrNull(t.archivedAt),
});

const TemplateFields = z.object({
  name: z.string().min(1).max(100),
  slug: SlugNameSchema.openapi({
    description: 'Unique among the organization’s templates that are not archived',
  }),
  description: DescriptionSchema.nullable().optional(),
  category: z.string().min(1).max(50).nullable().optional(),
  featured: z.boolean().optional(),
  sort_order: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  emoji: EmojiSchema.nullable().optional(),
  color: ColorSchema.nullable().optional(),
  role_id: z.string().max(64).nullable().optional(),
  model: ModelSchema.nullable().optional(),
  tools: z
    .array(z.string().min(1).max(100))
    .max(50)
    .optional()
    .openapi({ description: 'Tool names the agent starts with' }),
  tags: TagsSchema.optional(),
  config: JsonObjectSchema().optional(),
});

const Params = OrgParamsSchema.extend({ templateId: pathId('templateId', 'tpl_01hv…') });

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-templates',
  tags,
  operationId: 'listAgentTemplates',
  summary: 'Agent templates by sort order, filtered by category and featured',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: PageQuerySchema.extend({
      category: z.string().max(50).optional(),
      featured: z.enum(['true', 'false']).optional(),
      include_archived: z.enum(['true', 'false']).default('false'),
    }),
  },
  responses: { 200: jsonResponse(pageOf(TemplateSchema), 'A page of templates') },
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agent-templates',
  tags,
  operationId: 'createAgentTemplate',
  summary: 'Create an agent template',
  access: canWriteAgents,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(TemplateFields.strict()) },
  responses: { 201: jsonResponse(TemplateSchema, 'The template') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-templates/{templateId}',
  tags,
  operationId: 'getAgentTemplate',
  summary: 'An agent template',
  access: canReadAgents,
  request: { params: Params },
  responses: { 200: jsonResponse(TemplateSchema, 'The template') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/agent-templates/{templateId}',
  tags,
  operationId: 'updateAgentTemplate',
  summary: 'Change an agent template',
  access: canWriteAgents,
  conflicts: true,
  request: {
    params: Params,
    body: jsonBody(
      TemplateFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, 'Change at least one field'),
    ),
  },
  responses: { 200: jsonResponse(TemplateSchema, 'The template') },
});

const archiveRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/agent-templates/{templateId}',
  tags,
  operationId: 'archiveAgentTemplate',
  summary: 'Archive an agent template (agents made from it keep their link)',
  access: canWriteAgents,
  conflicts: true,
  request: { params: Params },
  responses: { 204: noContent },
});

const instantiateRoute = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agent-templates/{templateId}/agents',
  tags,
  operationId: 'createAgentFromTemplate',
  summary: "Create an agent from a template; fields given here override the template's",
  access: canWriteAgents,
  idempotent: true,
  conflicts: true,
  request: { params: Params, body: jsonBody(AgentFieldsSchema.strict()) },
  responses: { 201: jsonResponse(AgentSchema, 'The agent') },
});

export const templatesRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      category: q.category,
      featured: q.featured === undefined ? undefined : q.featured === 'true',
      includeArchived: q.include_archived === 'true',
    };
    const rows = await listTemplates(
      c.var.db,
      c.var.org.id,
      filter,
      q.limit,
      await decodeCursor(c.env, q.cursor),
    );
    return c.json(await toPage(c.env, rows, q.limit, templateCursor, toTemplate), 200);
  })
  .openapi(createRoute_, async (c) => {
    const row = await createTemplate(ctxOf(c), c.var.org.id, c.req.valid('json'));
    return c.json(toTemplate(row), 201);
  })
  .openapi(getRoute, async (c) => {
    const row = await getTemplate(c.var.db, c.var.org.id, c.req.valid('param').templateId);
    return c.json(toTemplate(row), 200);
  })
  .openapi(updateRoute, async (c) => {
    const row = await updateTemplate(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').templateId,
      c.req.valid('json'),
    );
    return c.json(toTemplate(row), 200);
  })
  .openapi(archiveRoute, async (c) => {
    await archiveTemplate(ctxOf(c), c.var.org.id, c.req.valid('param').templateId);
    return c.body(null, 204);
  })
  .openapi(instantiateRoute, async (c) => {
    const agent = await createAgentFromTemplate(
      ctxOf(c),
      c.var.org.id,
      c.req.valid('param').templateId,
      c.req.valid('json'),
    );
    return c.json(toAgent(agent), 201);
  });
