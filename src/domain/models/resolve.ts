import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agentRoles, agents, modelRoutingRules, orgModelSettings } from '../../db/schema';
import type { Env } from '../../env';
import { type CallableModel, DEV_MODEL_ID, devModelEnabled, loadModels, usable } from './registry';
import type { RoutingRule } from './routing';
import { cachedRouting } from './setup-cache';

export type ResolutionSource = 'explicit' | 'agent' | 'role' | 'routing' | 'default' | 'development';

export interface ResolutionStep {
  source: ResolutionSource;
  modelId: string | null;
  outcome: 'chosen' | 'not_set' | 'no_match' | 'missing' | 'disabled';
  detail: string;
}

export interface Resolution {
  model: CallableModel | null;
  source: ResolutionSource | null;
  steps: ResolutionStep[];
}

export interface ResolveInput {
  orgId: string;
  model?: string | null;
  /**
   * A model resolved earlier for the same work (a chat reply's, when its message was sent): used
   * while it can be, so the work keeps one model; else resolution runs as usual.
   */
  preferred?: string | null;
  agentId?: string | null;
  topic?: string | null;
  tags?: string[];
}

type Candidate = { source: ResolutionSource; modelId: string | null; detail: string };

/** What an organization routes by: its routing rules in order, and its default model. */
export interface Routing {
  rules: RoutingRule[];
  defaultModelId: string | null;
}

async function readRouting(db: Db, orgId: string): Promise<Routing> {
  const [rules, settings] = await db.batch([
    db
      .select()
      .from(modelRoutingRules)
      .where(eq(modelRoutingRules.orgId, orgId))
      .orderBy(asc(modelRoutingRules.position)),
    db.select().from(orgModelSettings).where(eq(orgModelSettings.orgId, orgId)).limit(1),
  ]);
  return { rules, defaultModelId: settings[0]?.defaultModelId ?? null };
}

/** The organization's routing: one round trip, or none while this isolate has it (a second). */
export const routingOf = (db: Db, orgId: string) => cachedRouting(orgId, () => readRouting(db, orgId));

/** What an agent and its role say about the model: the agent's choice (by id, else by name). */
export interface AgentModels {
  modelId: string | null;
  tags: string[];
  roleModelId: string | null;
}

export const agentModels = (
  agent: Pick<typeof agents.$inferSelect, 'modelId' | 'model' | 'tags'>,
  role: Pick<typeof agentRoles.$inferSelect, 'modelId'> | null,
): AgentModels => ({
  modelId: agent.modelId ?? agent.model,
  tags: agent.tags,
  roleModelId: role?.modelId ?? null,
});

async function readAgentModels(db: Db, orgId: string, agentId: string) {
  const [row] = await db
    .select({ agent: agents, role: agentRoles })
    .from(agents)
    .leftJoin(agentRoles, eq(agentRoles.id, agents.roleId))
    .where(and(eq(agents.orgId, orgId), eq(agents.id, agentId)))
    .limit(1);
  return row && agentModels(row.agent, row.role);
}

/**
 * The candidates in resolution order; the first one that exists and is enabled is used. Pure:
 * the agent's models (when the call is for one) and the organization's routing are read already.
 */
export function modelCandidates(
  env: Env,
  input: Pick<ResolveInput, 'topic' | 'tags'>,
  agent: AgentModels | undefined,
  routing: Routing,
): Candidate[] {
  const topic = input.topic?.trim().toLowerCase() || null;
  const tags = new Set([...(input.tags ?? []), ...(agent?.tags ?? [])].map((t) => t.toLowerCase()));
  const rule = routing.rules.find((r) =>
    r.match === 'topic' ? topic === r.value.toLowerCase() : tags.has(r.value.toLowerCase()),
  );
  const list: Candidate[] = [
    { source: 'agent', modelId: agent?.modelId ?? null, detail: 'the agent’s model' },
    { source: 'role', modelId: agent?.roleModelId ?? null, detail: 'the model of the agent’s role' },
    {
      source: 'routing',
      modelId: rule?.modelId ?? null,
      detail: rule ? `routing rule: ${rule.match} "${rule.value}"` : 'no routing rule matches',
    },
    { source: 'default', modelId: routing.defaultModelId, detail: 'the organization’s default' },
  ];
  if (devModelEnabled(env))
    list.push({ source: 'development', modelId: DEV_MODEL_ID, detail: 'the built-in development model' });
  return list;
}

/**
 * Which model a call uses, and why: the explicit model → the agent's → its role's → the first
 * matching routing rule (topic, or a tag of the call or the agent) → the organization's default →
 * the development model where it exists. An explicit model that cannot be used is an answer (no
 * model), not a reason to silently use another. `candidates`: made already (see `modelCandidates`).
 */
export async function resolveModel(
  db: Db,
  env: Env,
  input: ResolveInput,
  candidates?: Candidate[],
): Promise<Resolution> {
  if (input.model) {
    const [model] = await loadModels(db, env, input.orgId, [input.model]);
    const outcome = !model ? 'missing' : usable(env, model) ? 'chosen' : 'disabled';
    const step: ResolutionStep = {
      source: 'explicit',
      modelId: input.model,
      outcome,
      detail: 'named on the call',
    };
    return { model: outcome === 'chosen' ? model! : null, source: 'explicit', steps: [step] };
  }
  if (input.preferred) {
    const [model] = await loadModels(db, env, input.orgId, [input.preferred]);
    if (model && usable(env, model)) {
      const step: ResolutionStep = {
        source: 'explicit',
        modelId: model.id,
        outcome: 'chosen',
        detail: 'resolved earlier for the same work',
      };
      return { model, source: 'explicit', steps: [step] };
    }
  }
  const list =
    candidates ??
    modelCandidates(
      env,
      input,
      ...(await Promise.all([
        input.agentId ? readAgentModels(db, input.orgId, input.agentId) : undefined,
        routingOf(db, input.orgId),
      ])),
    );
  const ids = [...new Set(list.flatMap((c) => (c.modelId ? [c.modelId] : [])))];
  // A candidate names a model by id or by name (an agent's free-text `model`).
  const found = new Map(
    (await loadModels(db, env, input.orgId, ids)).flatMap((m) => [
      [m.id, m],
      [m.name, m],
    ]),
  );
  const steps: ResolutionStep[] = [];
  for (const c of list) {
    const model = c.modelId ? found.get(c.modelId) : undefined;
    const outcome = !c.modelId
      ? c.source === 'routing'
        ? 'no_match'
        : 'not_set'
      : !model
        ? 'missing'
        : usable(env, model)
          ? 'chosen'
          : 'disabled';
    steps.push({ source: c.source, modelId: c.modelId, outcome, detail: c.detail });
    if (outcome === 'chosen') return { model: model!, source: c.source, steps };
  }
  return { model: null, source: null, steps };
}
