import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { activityLog, agentRoles, roleSkills } from '../../src/db/schema';
import { activityInsertOrAbort } from '../../src/domain/activity/record';
import { commit, constraintFailure, tryCommit } from '../../src/domain/commit';
import type { Ctx } from '../../src/domain/context';
import { ApiError } from '../../src/lib/errors';
import { newId } from '../../src/lib/ids';
import { unique } from '../support';

const db = createDb(env.DB);
const ctx: Ctx = { env, db, actor: { type: 'system', id: 'test' }, ip: null };
const orgId = unique('org_');

const role = (slug: string) => ({
  id: newId('rol'),
  orgId,
  slug,
  name: slug,
  description: null,
  system: false,
  promptTemplate: '',
  platformScopes: [],
  createdAt: 0,
  updatedAt: 0,
});

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('commit', () => {
  it('turns a unique failure into a 409 naming what collided, and writes nothing', async () => {
    const slug = unique('dup');
    await commit(db, [db.insert(agentRoles).values(role(slug))]);
    const second = role(slug);
    const err = await rejection(
      commit(db, [db.insert(agentRoles).values(second)], {
        unique: `A role with slug "${slug}" already exists`,
      }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, message: `A role with slug "${slug}" already exists` });
    expect(await db.select().from(agentRoles).where(eq(agentRoles.id, second.id))).toEqual([]);
  });

  it('undoes the whole batch when a guard trips, and lets the problem read the current state', async () => {
    const r = role(unique('guarded'));
    await commit(db, [db.insert(agentRoles).values(r)]);
    const entity = unique('ent');
    const err = await rejection(
      commit(
        db,
        [
          db.update(agentRoles).set({ name: 'changed' }).where(eq(agentRoles.id, r.id)),
          activityInsertOrAbort(
            ctx,
            { orgId, action: 'role.updated', entityType: 'role', entityId: entity },
            sql`0`,
          ),
        ],
        {
          guard: async () => {
            const [now] = await db.select().from(agentRoles).where(eq(agentRoles.id, r.id));
            return new ApiError('conflict', `still named ${now!.name}`);
          },
        },
      ),
    );
    expect(err).toMatchObject({ status: 409, message: `still named ${r.name}` });
    expect(await db.select().from(activityLog).where(eq(activityLog.entityId, entity))).toEqual([]);
  });

  it('answers a dangling reference with a 409 unless the call site names another problem', async () => {
    const link = { roleId: 'rol_gone', targetId: 'skl_gone', orgId, createdAt: 0, updatedAt: 0 };
    expect(await rejection(commit(db, [db.insert(roleSkills).values(link)]))).toMatchObject({ status: 409 });
    const named = new ApiError('not_found', 'Role not found');
    expect(await rejection(commit(db, [db.insert(roleSkills).values(link)], { foreignKey: named }))).toBe(
      named,
    );
  });

  it('lets the database error through when the problem does not recognise the failure', async () => {
    const slug = unique('other');
    await commit(db, [db.insert(agentRoles).values(role(slug))]);
    const err = await rejection(
      commit(db, [db.insert(agentRoles).values(role(slug))], {
        unique: ({ message }) => (message.includes('users.email') ? new ApiError('conflict') : undefined),
      }),
    );
    expect(err).not.toBeInstanceOf(ApiError);
    expect(constraintFailure(err)).toMatchObject({ kind: 'unique' });
  });

  it('reports a constraint failure as a value from tryCommit', async () => {
    const slug = unique('try');
    await commit(db, [db.insert(agentRoles).values(role(slug))]);
    const outcome = await tryCommit(db, [db.insert(agentRoles).values(role(slug))]);
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'unique' } });
    expect(await tryCommit(db, [db.select().from(agentRoles).limit(1)])).toMatchObject({ ok: true });
  });
});
