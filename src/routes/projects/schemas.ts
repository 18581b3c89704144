import { z } from '@hono/zod-openapi';
import type { Project } from '../../domain/work/projects';
import { OrgParamsSchema, pathId } from '../../http/params';
import { jsonObject } from '../../lib/json-value';
import { iso } from '../../lib/time';

export const tags = ['Projects'];

export const ProjectParamsSchema = OrgParamsSchema.extend({ projectId: pathId('projectId', 'prj_01hv…') });

const RepositorySchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .nullable(),
    default_branch: z.string().trim().min(1).max(200).nullable(),
  })
  .openapi('Repository', { description: 'The source repository the work happens in, if any' });

export const ProjectSchema = z
  .object({
    id: z.string().openapi({ description: 'The project id', example: 'prj_01hv…' }),
    name: z.string().openapi({ description: 'The project name' }),
    description: z
      .string()
      .nullable()
      .openapi({ description: 'What the project is about; null when not given' }),
    system: z.boolean().openapi({ description: 'The organization’s system project; it cannot be deleted' }),
    repository: RepositorySchema,
    settings: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Free-form project settings (a JSON object)' }),
    created_by: z.string().openapi({
      description: 'Who created it: a user id (`usr_…`) or, when a program did, an API key id (`key_…`)',
    }),
    created_at: z.iso.datetime().openapi({ description: 'When it was created' }),
    updated_at: z.iso.datetime().openapi({ description: 'When it last changed' }),
  })
  .openapi('Project');

export const toProject = (p: Project): z.infer<typeof ProjectSchema> => ({
  id: p.id,
  name: p.name,
  description: p.description,
  system: p.system,
  repository: { url: p.repoUrl, default_branch: p.defaultBranch },
  settings: p.settings,
  created_by: p.createdBy,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

const SettingsSchema = jsonObject(
  {
    maxBytes: 20_000,
    description: 'Free-form settings; on update keys merge, and a null value removes a key',
  },
  z.string().max(100),
);

export const CreateProjectSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).nullable().optional(),
  repository: RepositorySchema.partial().optional(),
  settings: SettingsSchema.optional(),
});

export const UpdateProjectSchema = CreateProjectSchema.partial();

export const toProjectInput = (b: z.infer<typeof UpdateProjectSchema>) => ({
  name: b.name,
  description: b.description,
  repoUrl: b.repository?.url,
  defaultBranch: b.repository?.default_branch,
  settings: b.settings,
});
