import { and, eq } from 'drizzle-orm';
import { modeSessions, modes } from '../../db/schema';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { invalid } from '../agents/shared';
import type { OrgCtx } from '../context';
import { parseMarkdown } from './front-matter';
import { seededCatalog } from './seeded-catalog';

export type ModeRow = typeof modes.$inferSelect;

interface ModeDefault {
  name: string;
  description: string;
  instructions: string;
}

/** The modes every organization has; each can be edited and reset to what is written here. */
export const SYSTEM_MODES: Record<string, ModeDefault> = {
  spec: {
    name: 'Specification',
    description: 'Write down what is to be built and how to know it is done',
    instructions:
      'Work with the user to write a specification: the goal, who it is for, what is in and out of scope, ' +
      'acceptance criteria and open questions. Keep the draft current; finish when the user agrees.',
  },
  plan: {
    name: 'Planning',
    description: 'Turn a specification into ordered tickets',
    instructions:
      'Turn the specification into small tickets, each with acceptance criteria and its dependencies, ' +
      'in an order that can be executed. The artifact is the plan.',
  },
  review: {
    name: 'Review',
    description: 'Review finished work against its specification',
    instructions:
      'Compare the work with its specification and acceptance criteria. List what passes, what fails ' +
      'and what must change. The artifact is the review.',
  },
};

const catalog = seededCatalog({
  kind: 'mode',
  what: 'Mode',
  idPrefix: 'mod',
  table: modes,
  system: SYSTEM_MODES,
});

export const getMode = catalog.get;
/** System modes are seeded on first listing. */
export const listModes = catalog.list;
export const resetMode = catalog.reset;
export const isDefault = catalog.isDefault;

export interface ModeInput {
  slug: string;
  name: string;
  description?: string | null;
  instructions: string;
}

export function createMode(ctx: OrgCtx, input: ModeInput): Promise<ModeRow> {
  const now = Date.now();
  return catalog.create(ctx, {
    id: newId('mod', now),
    orgId: ctx.orgId,
    slug: input.slug,
    name: input.name,
    description: input.description ?? null,
    instructions: input.instructions,
    system: false,
    createdAt: now,
    updatedAt: now,
  });
}

/** A mode from a Markdown file: front matter for slug, name and description; the body instructs. */
export function modeFromMarkdown(text: string, fileName: string): ModeInput {
  const { attributes, body } = parseMarkdown(text);
  const slug =
    typeof attributes.slug === 'string'
      ? attributes.slug
      : fileName.replace(/\.(md|markdown)$/i, '').toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(slug))
    throw invalid('file', `The mode slug "${slug}" must be lowercase letters, digits, ".", "_" or "-"`);
  if (body.length === 0) throw invalid('file', 'The file has no instructions after its front matter');
  return {
    slug,
    name: typeof attributes.name === 'string' ? attributes.name : slug,
    description: typeof attributes.description === 'string' ? attributes.description : null,
    instructions: body,
  };
}

export function updateMode(ctx: OrgCtx, id: string, input: Partial<ModeInput>) {
  return catalog.update(ctx, id, input, {
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
  });
}

/** A custom mode without an active session goes; its sessions and artifacts go with it. */
export function deleteMode(ctx: OrgCtx, id: string) {
  return catalog.remove(ctx, id, async () => {
    const [active] = await ctx.db
      .select({ id: modeSessions.id })
      .from(modeSessions)
      .where(
        and(
          eq(modeSessions.orgId, ctx.orgId),
          eq(modeSessions.modeId, id),
          eq(modeSessions.status, 'active'),
        ),
      )
      .limit(1);
    if (active) throw conflict(`The mode has an active session (${active.id}); complete or cancel it first`);
  });
}
