import { lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { assignmentSlots } from '../db/schema';
import { fireDueAssignments, SLOT_RETENTION_MS } from '../domain/assignments/fire';
import type { Env } from '../env';

/** Starts the due slots of pipeline assignments, then drops slot rows no firing can compute again. */
export async function runAssignments(env: Env, db: Db, now: number) {
  await fireDueAssignments({ env, db, actor: { type: 'system', id: 'scheduler' }, ip: null }, now);
  await db.delete(assignmentSlots).where(lt(assignmentSlots.createdAt, now - SLOT_RETENTION_MS));
}
