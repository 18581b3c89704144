import { z } from '@hono/zod-openapi';
import type { Council } from '../../domain/pipelines/councils';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso } from '../../lib/time';

export const tags = ['Councils'];

export const MAX_COUNCIL_MEMBERS = 20;

export const CouncilParamsSchema = OrgParamsSchema.extend({ councilId: pathId('councilId', 'cnl_01hv…') });

export const CouncilSchema = z
  .object({
    id: z.string().openapi({ example: 'cnl_01hv…' }),
    name: z.string(),
    description: z.string().nullable(),
    leader_agent_id: z.string().nullable().openapi({
      description: 'The agent that synthesises the members’ answers; null if that agent was deleted',
    }),
    member_agent_ids: z
      .array(z.string())
      .openapi({ description: 'The agents that answer in parallel, in order' }),
    created_by: z.string(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Council');

export const toCouncil = (c: Council): z.infer<typeof CouncilSchema> => ({
  id: c.id,
  name: c.name,
  description: c.description,
  leader_agent_id: c.leaderAgentId,
  member_agent_ids: c.memberAgentIds,
  created_by: c.createdBy,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

const agentId = z.string().min(1).max(64);

const MembersSchema = z
  .array(agentId)
  .min(1)
  .max(MAX_COUNCIL_MEMBERS)
  .refine((ids) => new Set(ids).size === ids.length, 'member_agent_ids must not repeat an agent');

export const CreateCouncilSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  leader_agent_id: agentId,
  member_agent_ids: MembersSchema,
});

export const UpdateCouncilSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  leader_agent_id: agentId.optional(),
  member_agent_ids: MembersSchema.optional().openapi({ description: 'Replaces the members' }),
});

export const toCouncilInput = (b: z.infer<typeof UpdateCouncilSchema>) => ({
  ...(b.name !== undefined ? { name: b.name } : {}),
  ...(b.description !== undefined ? { description: b.description } : {}),
  ...(b.leader_agent_id !== undefined ? { leaderAgentId: b.leader_agent_id } : {}),
  ...(b.member_agent_ids !== undefined ? { memberAgentIds: b.member_agent_ids } : {}),
});
