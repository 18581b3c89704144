import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type ConcurrencyPolicy, pipelineTemplates } from '../../db/schema';
import { ApiError, conflict, type FieldError, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import type { OrgCtx } from '../context';
import { findInOrg, type PageRequest, pageInOrg } from '../lookup';
import { BUILTIN_TEMPLATES, type BuiltinTemplate, builtinTemplate } from './builtin-templates';
import { validateGraph } from './dag';
import type { Snapshot, StepDef, TemplateSnapshot } from './snapshot';

export type TemplateRow = typeof pipelineTemplates.$inferSelect;
export type Template = ({ builtin: true } & BuiltinTemplate) | ({ builtin: false } & TemplateRow);

const builtin = (t: BuiltinTemplate): Template => ({ builtin: true, ...t });
const own = (t: TemplateRow): Template => ({ builtin: false, ...t });

/** Built-in templates lead the first page; the organization's own follow, oldest first. */
export async function listTemplates(db: Db, orgId: string, page: PageRequest) {
  const rows = (await pageInOrg(db, pipelineTemplates, orgId, page)).map(own);
  return page.after ? rows : [...BUILTIN_TEMPLATES.map(builtin), ...rows];
}

export async function getTemplate(db: Db, orgId: string, id: string): Promise<Template> {
  const b = builtinTemplate(id);
  if (b) return builtin(b);
  const row = await findInOrg(db, pipelineTemplates, orgId, id);
  if (!row) throw notFound('Pipeline template');
  return own(row);
}

export interface TemplateInput {
  name: string;
  description?: string | null;
  concurrency?: ConcurrencyPolicy;
  snapshot: TemplateSnapshot;
}

export async function createTemplate(ctx: OrgCtx, input: TemplateInput): Promise<Template> {
  validateGraph(input.snapshot);
  const now = Date.now();
  const row: TemplateRow = {
    id: newId('plt', now),
    orgId: ctx.orgId,
    name: input.name,
    description: input.description ?? null,
    concurrency: input.concurrency ?? 'reject',
    snapshot: input.snapshot,
    createdBy: ctx.actor.id,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.db.batch([
    ctx.db.insert(pipelineTemplates).values(row),
    activityInsert(ctx, {
      orgId: ctx.orgId,
      action: 'pipeline_template.created',
      entityType: 'pipeline_template',
      entityId: row.id,
    }),
  ]);
  return own(row);
}

const builtinIsFixed = (id: string) => {
  if (builtinTemplate(id))
    throw conflict('Built-in templates cannot be changed or deleted; copy one instead');
};

export interface TemplatePatch {
  name?: string;
  description?: string | null;
  concurrency?: ConcurrencyPolicy;
  /** Either replaces its half of the graph; the result is validated as a whole. */
  steps?: TemplateSnapshot['steps'];
  edges?: TemplateSnapshot['edges'];
}

export async function updateTemplate(ctx: OrgCtx, id: string, patch: TemplatePatch): Promise<Template> {
  builtinIsFixed(id);
  const { steps, edges, ...fields } = patch;
  let snapshot: TemplateSnapshot | undefined;
  if (steps || edges) {
    const current = await findInOrg(ctx.db, pipelineTemplates, ctx.orgId, id);
    if (!current) throw notFound('Pipeline template');
    snapshot = { steps: steps ?? current.snapshot.steps, edges: edges ?? current.snapshot.edges };
    validateGraph(snapshot);
  }
  const where = and(eq(pipelineTemplates.orgId, ctx.orgId), eq(pipelineTemplates.id, id));
  const [[row]] = await ctx.db.batch([
    ctx.db
      .update(pipelineTemplates)
      .set({ ...fields, ...(snapshot ? { snapshot } : {}), updatedAt: Date.now() })
      .where(where)
      .returning(),
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'pipeline_template.updated',
        entityType: 'pipeline_template',
        entityId: id,
      },
      sql`EXISTS (SELECT 1 FROM ${pipelineTemplates} WHERE ${where})`,
    ),
  ]);
  if (!row) throw notFound('Pipeline template');
  return own(row);
}

export async function deleteTemplate(ctx: OrgCtx, id: string) {
  builtinIsFixed(id);
  const where = and(eq(pipelineTemplates.orgId, ctx.orgId), eq(pipelineTemplates.id, id));
  const [, [row]] = await ctx.db.batch([
    activityInsertIf(
      ctx,
      {
        orgId: ctx.orgId,
        action: 'pipeline_template.deleted',
        entityType: 'pipeline_template',
        entityId: id,
      },
      sql`EXISTS (SELECT 1 FROM ${pipelineTemplates} WHERE ${where})`,
    ),
    ctx.db.delete(pipelineTemplates).where(where).returning({ id: pipelineTemplates.id }),
  ]);
  if (!row) throw notFound('Pipeline template');
}

/** Who fills the template's unbound steps: per step key, else one agent (or council) for all. */
export interface Bindings {
  agentId?: string | null;
  councilId?: string | null;
  steps?: Record<string, string>;
}

/** The steps a caller must bind: agent and council steps without an agent or council. */
export const unboundSteps = (snapshot: TemplateSnapshot) =>
  snapshot.steps
    .filter(
      (s) => (s.kind === 'agent' && !s.config.agent_id) || (s.kind === 'council' && !s.config.council_id),
    )
    .map((s) => s.key);

/** The template's graph with every step bound, or a 422 naming each step left unbound. */
export function bindTemplate(snapshot: TemplateSnapshot, bindings: Bindings): Snapshot {
  const errors: FieldError[] = [];
  const steps = snapshot.steps.map((s): StepDef => {
    if (s.kind === 'agent') {
      const agentId = bindings.steps?.[s.key] ?? s.config.agent_id ?? bindings.agentId;
      if (!agentId) errors.push({ path: `bindings.${s.key}`, message: `Name an agent for step "${s.key}"` });
      return { ...s, config: { ...s.config, agent_id: agentId ?? '' } };
    }
    if (s.kind === 'council') {
      const councilId = bindings.steps?.[s.key] ?? s.config.council_id ?? bindings.councilId;
      if (!councilId)
        errors.push({ path: `bindings.${s.key}`, message: `Name a council for step "${s.key}"` });
      return { ...s, config: { ...s.config, council_id: councilId ?? '' } };
    }
    return s;
  });
  if (errors.length > 0)
    throw new ApiError('validation', errors.map((e) => e.message).join('; '), { errors });
  return { steps, edges: snapshot.edges };
}
