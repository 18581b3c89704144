import { activityLog } from '../../db/schema';
import { newId } from '../../lib/ids';
import type { Ctx } from '../context';
import type { EventType } from '../events/catalog';

export interface ActivityInput {
  orgId: string;
  action: EventType;
  entityType: string;
  entityId: string;
  metadata?: Record<string, unknown>;
}

/**
 * The activity entry for a state change, as an insert to put in the same `db.batch()` as the
 * change itself, so the log and the change are written together or not at all.
 */
export function activityInsert(ctx: Ctx, input: ActivityInput) {
  return ctx.db.insert(activityLog).values({
    id: newId('act'),
    orgId: input.orgId,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId,
    metadata: input.metadata ?? {},
    ip: ctx.ip,
    createdAt: Date.now(),
  });
}
