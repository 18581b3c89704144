import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { agents, councils } from '../../db/schema';
import { ApiError, type FieldError } from '../../lib/errors';
import type { Snapshot } from './snapshot';

/** The ids of `ids` that name rows of `table` in the organization. */
async function existing(db: Db, table: typeof agents | typeof councils, orgId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.orgId, orgId), inArray(table.id, [...new Set(ids)])));
  return new Set(rows.map((r) => r.id));
}

/** Refuses agent ids that are not agents of the organization (another organization's too), naming each. */
export async function checkAgents(db: Db, orgId: string, refs: { path: string; id: string }[]) {
  const found = await existing(
    db,
    agents,
    orgId,
    refs.map((r) => r.id),
  );
  const errors = refs
    .filter((r) => !found.has(r.id))
    .map((r) => ({ path: r.path, message: `No agent ${r.id} in this organization` }));
  if (errors.length > 0) throw new ApiError('validation', errors[0]!.message, { errors });
}

/**
 * Refuses a graph whose agent or council steps name agents or councils the organization does not
 * have, naming each step's field; two reads at most, together.
 */
export async function checkStepReferences(db: Db, orgId: string, snapshot: Snapshot) {
  const agentRefs: { path: string; id: string }[] = [];
  const councilRefs: { path: string; id: string }[] = [];
  snapshot.steps.forEach((s, i) => {
    if (s.kind === 'agent') agentRefs.push({ path: `steps.${i}.config.agent_id`, id: s.config.agent_id });
    if (s.kind === 'council')
      councilRefs.push({ path: `steps.${i}.config.council_id`, id: s.config.council_id });
  });
  const [foundAgents, foundCouncils] = await Promise.all([
    existing(
      db,
      agents,
      orgId,
      agentRefs.map((r) => r.id),
    ),
    existing(
      db,
      councils,
      orgId,
      councilRefs.map((r) => r.id),
    ),
  ]);
  const errors: FieldError[] = [
    ...agentRefs
      .filter((r) => !foundAgents.has(r.id))
      .map((r) => ({ path: r.path, message: `No agent ${r.id} in this organization` })),
    ...councilRefs
      .filter((r) => !foundCouncils.has(r.id))
      .map((r) => ({ path: r.path, message: `No council ${r.id} in this organization` })),
  ];
  if (errors.length > 0) throw new ApiError('validation', errors[0]!.message, { errors });
}
