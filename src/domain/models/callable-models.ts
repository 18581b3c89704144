import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { modelProviders, models } from '../../db/schema';
import type { Env } from '../../env';
import { DEV_MODEL_ID, devModelEnabled } from './registry';

export interface ModelEntry {
  /** What a caller names the model by: its registry name (the development model: its id). */
  name: string;
  provider: string;
  createdAt: number;
}

/** The models a caller can name in the organization right now: enabled, on an enabled provider. */
export async function callableModels(db: Db, env: Env, orgId: string): Promise<ModelEntry[]> {
  const rows = await db
    .select({ name: models.name, provider: modelProviders.name, createdAt: models.createdAt })
    .from(models)
    .innerJoin(modelProviders, eq(modelProviders.id, models.providerId))
    .where(and(eq(models.orgId, orgId), eq(models.enabled, true), eq(modelProviders.enabled, true)))
    .orderBy(asc(models.name));
  return devModelEnabled(env) ? [{ name: DEV_MODEL_ID, provider: 'dev', createdAt: 0 }, ...rows] : rows;
}
