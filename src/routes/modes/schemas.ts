import { z } from '@hono/zod-openapi';
import type { ModeArtifactRow, ModeSessionRow } from '../../domain/agent-design/mode-sessions';
import { isDefault, type ModeRow } from '../../domain/agent-design/modes';
import { DescriptionSchema, SlugNameSchema } from '../../http/fields';
import { OrgParamsSchema, pathId } from '../../http/params';
import { iso, isoOrNull } from '../../lib/time';

export const ModeSchema = z
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

export const toMode = (m: ModeRow): z.infer<typeof ModeSchema> => ({
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

export const SessionSchema = z
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

export const toSession = (s: ModeSessionRow): z.infer<typeof SessionSchema> => ({
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

export const ArtifactSchema = z
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

export const toArtifact = (a: ModeArtifactRow): z.infer<typeof ArtifactSchema> => ({
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

export const ModeFields = z.object({
  slug: SlugNameSchema,
  name: z.string().min(1).max(100),
  description: DescriptionSchema.nullable().optional(),
  instructions: z.string().min(1).max(100_000),
});
export const ModeParams = OrgParamsSchema.extend({ modeId: pathId('modeId', 'mod_01hv…') });
export const SessionParams = OrgParamsSchema.extend({ sessionId: pathId('sessionId', 'mss_01hv…') });
export const DraftSchema = z.string().max(200_000);
export const ProjectId = z.string().min(1).max(64).openapi({ example: 'prj_01hv…' });
