import { z } from '@hono/zod-openapi';
import {
  createAgent,
  deleteAgent,
  listAgents,
  matchAgentsByTags,
  tagCounts,
  updateAgent,
} from '../../domain/agents/agents';
import { getAgentRow } from '../../domain/agents/shared';
import {
  ColorSchema,
  DescriptionSchema,
  EmojiSchema,
  JsonObjectSchema,
  ModelSchema,
  SlugNameSchema,
  TagSchema,
  TagsSchema,
} from '../../http/fields';
import { jsonBody, jsonResponse, noContent } from '../../http/openapi';
import { PageQuerySchema, paged, pageOf } from '../../http/pagination';
import { commaList, OrgParamsSchema } from '../../http/params';
import { type Access, orgRoute } from '../../http/route';
import { createRouter } from '../../http/router';
import { AgentParamsSchema, AgentSchema, AgentStatusSchema, ModelIdSchema, toAgent } from './schemas';

const tags = ['Agents'];
export const canReadAgents: Access = { role: 'viewer', scope: 'agents:read' };
export const canWriteAgents: Access = { role: 'member', scope: 'agents:write' };

export const AgentFieldsSchema = z.object({
  name: SlugNameSchema.openapi({ description: 'Unique in the organization', example: 'felix' }),
  display_name: z.string().min(1).max(100).optional().openapi({ description: 'Defaults to the name' }),
  description: DescriptionSchema.nullable().optional(),
  role_id: z.string().max(64).nullable().optional(),
  model: ModelSchema.nullable().optional(),
  model_id: ModelIdSchema,
  tags: TagsSchema.optional(),
  config: JsonObjectSchema(undefined, 'Free-form runtime configuration').optional(),
  emoji: EmojiSchema.nullable().optional(),
  color: ColorSchema.nullable().optional(),
});

const CreateBodySchema = AgentFieldsSchema.strict();
const UpdateBodySchema = AgentFieldsSchema.partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Change at least one field');

const ListQuerySchema = PageQuerySchema.extend({
  status: commaList(AgentStatusSchema, 6, 'Only agents in these states, comma-separated').optional(),
  tag: TagSchema.optional().openapi({ description: 'Only agents carrying this tag' }),
  role_id: z.string().max(64).optional(),
  project_id: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'Only agents with a role assignment in this project' }),
  q: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'Text in the name, display name or description' }),
});

const createRoute_ = orgRoute({
  method: 'post',
  path: '/orgs/{orgId}/agents',
  tags,
  operationId: 'createAgent',
  summary: 'Create an agent (status idle)',
  access: canWriteAgents,
  idempotent: true,
  conflicts: true,
  request: { params: OrgParamsSchema, body: jsonBody(CreateBodySchema) },
  responses: { 201: jsonResponse(AgentSchema, 'The agent') },
});

const listRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agents',
  tags,
  operationId: 'listAgents',
  summary: 'Agents by name, filtered by status, tag, role, project and text',
  access: canReadAgents,
  request: { params: OrgParamsSchema, query: ListQuerySchema },
  responses: { 200: jsonResponse(pageOf(AgentSchema), 'A page of agents') },
});

const getRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agents/{agentId}',
  tags,
  operationId: 'getAgent',
  summary: 'An agent',
  access: canReadAgents,
  request: { params: AgentParamsSchema },
  responses: { 200: jsonResponse(AgentSchema, 'The agent') },
});

const updateRoute = orgRoute({
  method: 'patch',
  path: '/orgs/{orgId}/agents/{agentId}',
  tags,
  operationId: 'updateAgent',
  summary: "Change an agent's definition; its status changes through lifecycle commands",
  access: canWriteAgents,
  conflicts: true,
  request: { params: AgentParamsSchema, body: jsonBody(UpdateBodySchema) },
  responses: { 200: jsonResponse(AgentSchema, 'The agent') },
});

const deleteRoute = orgRoute({
  method: 'delete',
  path: '/orgs/{orgId}/agents/{agentId}',
  tags,
  operationId: 'deleteAgent',
  summary: 'Delete an agent, its tags, role assignments and own rules; its live subscribers are closed',
  access: canWriteAgents,
  request: { params: AgentParamsSchema },
  responses: { 204: noContent },
});

const tagsRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-tags',
  tags,
  operationId: 'listAgentTags',
  summary: 'Every tag in use, with how many agents carry it, most used first',
  access: canReadAgents,
  request: { params: OrgParamsSchema },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(z.object({ tag: z.string(), count: z.number().int() })) }),
      'The tags',
    ),
  },
});

const matchRoute = orgRoute({
  method: 'get',
  path: '/orgs/{orgId}/agent-tags/match',
  tags,
  operationId: 'matchAgentsByTags',
  summary: 'Agents carrying any of the tags, ranked by how many they carry',
  access: canReadAgents,
  request: {
    params: OrgParamsSchema,
    query: z.object({
      tags: commaList(TagSchema, 20, 'The tags, comma-separated').openapi({ example: ['rust', 'backend'] }),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            agent: AgentSchema,
            score: z.number().int().openapi({ description: 'How many of the tags the agent carries' }),
            matched_tags: z.array(z.string()),
          }),
        ),
      }),
      'Matching agents, best first',
    ),
  },
});

export const agentsRouter = createRouter()
  .openapi(tagsRoute, async (c) => {
    const data = await tagCounts(c.var.db, c.var.org.id);
    return c.json({ data }, 200);
  })
  .openapi(matchRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await matchAgentsByTags(c.var.db, c.var.org.id, [...new Set(q.tags)], q.limit);
    return c.json(
      { data: rows.map((r) => ({ agent: toAgent(r.agent), score: r.score, matched_tags: r.matched })) },
      200,
    );
  })
  .openapi(createRoute_, async (c) => {
    const agent = await createAgent(c.var.ctx, c.req.valid('json'));
    return c.json(toAgent(agent), 201);
  })
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      status: q.status,
      tag: q.tag,
      roleId: q.role_id,
      projectId: q.project_id,
      q: q.q,
    };
    return c.json(await paged(c.env, q, (p) => listAgents(c.var.ctx, filter, p), toAgent, 'name'), 200);
  })
  .openapi(getRoute, async (c) => {
    const agent = await getAgentRow(c.var.db, c.var.org.id, c.req.valid('param').agentId);
    return c.json(toAgent(agent), 200);
  })
  .openapi(updateRoute, async (c) => {
    const agent = await updateAgent(c.var.ctx, c.req.valid('param').agentId, c.req.valid('json'));
    return c.json(toAgent(agent), 200);
  })
  .openapi(deleteRoute, async (c) => {
    await deleteAgent(c.var.ctx, c.req.valid('param').agentId);
    return c.body(null, 204);
  });
