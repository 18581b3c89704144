import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type IdRef, type Read, readTogether } from '../../db/reads';
import { agentRoles, agents, modelRoutingRules, orgModelSettings } from '../../db/schema';
import type { Env } from '../../env';
import { type CallableModel, DEV_MODEL_ID, devModelEnabled, loadModels, usable } from './registry';

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

export type Candidate = { source: ResolutionSource; modelId: string | null; detail: string };

/**
 * The candidates in resolution order; the first one that exists and is enabled is used. One read
 * of three queries, so it can join a caller's other reads in one round trip (where the agent may
 * be found through another row of it).
 */
export function modelCandidates(
  db: Db,
  env: Env,
  input: Omit<ResolveInput, 'agentId'> & { agentId?: IdRef | null },
): Read<Candidate[]> {
  const rulesQuery = db
    .select()
    .from(modelRoutingRules)
    .where(eq(modelRoutingRules.orgId, input.orgId))
    .orderBy(asc(modelRoutingRules.position));
  const settingsQuery = db
    .select()
    .from(orgModelSettings)
    .where(eq(orgModelSettings.orgId, input.orgId))
    .limit(1);
  const agentQuery = db
    .select({
      modelId: sql<string | null>`coalesce(${agents.modelId}, ${agents.model})`,
      tags: agents.tags,
      roleModelId: agentRoles.modelId,
    })
    .from(agents)
    .leftJoin(agentRoles, eq(agentRoles.id, agents.roleId))
    .where(and(eq(agents.orgId, input.orgId), eq(agents.id, input.agentId ?? '')))
    .limit(1);
  return {
    // A call for no agent reads no agent.
    queries: input.agentId ? [rulesQuery, settingsQuery, agentQuery] : [rulesQuery, settingsQuery],
    decode: (results) => {
      const [rules, settings, [agent] = []] = results as [
        Awaited<typeof rulesQuery>,
        Awaited<typeof settingsQuery>,
        Awaited<typeof agentQuery>?,
      ];
      const topic = input.topic?.trim().toLowerCase() || null;
      const tags = new Set([...(input.tags ?? []), ...(agent?.tags ?? [])].map((t) => t.toLowerCase()));
      const rule = rules.find((r) =>
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
        {
          source: 'default',
          modelId: settings[0]?.defaultModelId ?? null,
          detail: 'the organization’s default',
        },
      ];
      if (devModelEnabled(env))
        list.push({ source: 'development', modelId: DEV_MODEL_ID, detail: 'the built-in development model' });
      return list;
    },
  };
}

/**
 * Which model a call uses, and why: the explicit model → the agent's → its role's → the first
 * matching routing rule (topic, or a tag of the call or the agent) → the organization's default →
 * the development model where it exists. An explicit model that cannot be used is an answer (no
 * model), not a reason to silently use another. `candidates`: read already (see `modelCandidates`).
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
  const list = candidates ?? (await readTogether(db, [modelCandidates(db, env, input)]))[0];
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
