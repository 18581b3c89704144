import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships, organizations, passwordResets, users } from '../../db/schema';
import type { Env } from '../../env';
import { ApiError, conflict, unauthenticated } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert } from '../activity/record';
import { commit } from '../commit';
import type { Ctx } from '../context';
import { uniqueSlug } from '../orgs/slug';
import { CLOSE_CREDENTIAL_ENDED } from '../streams/owners';
import { endStreams } from '../streams/revocation';
import { CredentialCache } from './credential-cache';
import { dummyHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from './password';
import type { RateLimits } from './rate-limits';
import { openSession, revokeSessionsQuery } from './sessions';
import { verifySecondFactor } from './totp';

export type User = typeof users.$inferSelect;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** `path` names the request field the password came in, for the per-field error. */
function assertPassword(password: string, email: string, path = 'password') {
  const problem = passwordProblem(password, email);
  if (problem) throw new ApiError('validation', problem, { errors: [{ path, message: problem }] });
}

export async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .limit(1);
  return user;
}

export async function getUser(db: Db, id: string) {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw unauthenticated('The account no longer exists');
  return user;
}

type Profile = { user: User; orgs: Awaited<ReturnType<typeof userMemberships>> };

/** Profiles read in the last second, and reads under way that requests arriving meanwhile share. */
const recentProfiles = new CredentialCache<Profile>();
const profileReads = new Map<string, Promise<Profile>>();
let writes = 0;

/**
 * Called around every write this isolate handles: profiles read before it are not served after it,
 * so a caller always sees its own changes; other isolates' changes show within a second.
 */
export function forgetProfiles() {
  writes++;
  recentProfiles.forget(() => true);
  profileReads.clear();
}

/** The user and their organizations, in one round trip (or none, if read in the last second). */
export function getUserWithMemberships(db: Db, id: string): Promise<Profile> {
  const recent = recentProfiles.get(id);
  if (recent) return Promise.resolve(recent);
  let read = profileReads.get(id);
  if (!read) {
    const startedAfter = writes;
    read = (async () => {
      const [[user], orgs] = await db.batch([
        db.select().from(users).where(eq(users.id, id)).limit(1),
        userMemberships(db, id),
      ]);
      if (!user) throw unauthenticated('The account no longer exists');
      const profile = { user, orgs };
      if (writes === startedAfter) recentProfiles.set(id, profile);
      return profile;
    })().finally(() => {
      if (profileReads.get(id) === read) profileReads.delete(id);
    });
    profileReads.set(id, read);
  }
  return read;
}

/** Creates the account and its personal organization (the user is its owner), atomically. */
export async function register(
  env: Env,
  db: Db,
  input: { email: string; password: string; name: string },
  ip: string | null,
  limits: RateLimits,
) {
  await limits.take({ 'register-ip': ip ?? 'unknown' });
  const email = normalizeEmail(input.email);
  assertPassword(input.password, email);
  if (await findUserByEmail(db, email)) throw conflict('An account with this email already exists');

  const now = Date.now();
  const userId = newId('usr');
  const orgId = newId('org');
  const user: User = {
    id: userId,
    email,
    name: input.name,
    passwordHash: hashPassword(env, input.password),
    personalOrgId: orgId,
    totpSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
    createdAt: now,
    updatedAt: now,
  };
  const ctx: Ctx = { env, db, actor: { type: 'user', id: userId }, ip };
  await commit(
    db,
    [
      db.insert(users).values(user),
      db.insert(organizations).values({
        id: orgId,
        name: `${input.name}'s workspace`,
        slug: uniqueSlug(email.split('@')[0]!),
        personal: true,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(memberships).values({ orgId, userId, role: 'owner', createdAt: now }),
      activityInsert(ctx, { orgId, action: 'user.registered', entityType: 'user', entityId: userId }),
      activityInsert(ctx, {
        orgId,
        action: 'organization.created',
        entityType: 'organization',
        entityId: orgId,
      }),
    ],
    {
      // Two registrations racing for one email: the unique index decides.
      unique: ({ message }) =>
        message.includes('users.email') ? conflict('An account with this email already exists') : undefined,
    },
  );
  return user;
}

export async function login(
  env: Env,
  db: Db,
  input: { email: string; password: string; totp_code?: string; backup_code?: string },
  meta: { ip: string | null; userAgent: string | null },
  limits: RateLimits,
) {
  const email = normalizeEmail(input.email);
  // Counted before checking, so parallel guesses cannot all get in; given back on success.
  const attempt = await limits.take({ 'login-ip': meta.ip ?? 'unknown', 'login-account': email });
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? dummyHash(env));
  if (!user || !ok) throw unauthenticated('Email or password is incorrect');

  const ctx: Ctx = { env, db, actor: { type: 'user', id: user.id }, ip: meta.ip };
  try {
    await verifySecondFactor(ctx, user, input);
  } catch (err) {
    // The right password without a code is the first step of a successful sign-in, not a guess.
    if (err instanceof ApiError && err.kind === 'totp_required') await limits.giveBack(attempt);
    throw err;
  }
  const { statements, tokens } = await openSession(env, db, user.id, meta);
  await db.batch([
    ...statements,
    ...rehashStatements(env, db, user, input.password),
    activityInsert(ctx, {
      orgId: user.personalOrgId,
      action: 'user.logged_in',
      entityType: 'session',
      entityId: tokens.session_id,
      metadata: { user_agent: meta.userAgent },
    }),
  ]);
  await limits.giveBack(attempt);
  return tokens;
}

/**
 * After a successful sign-in, a hash weaker than new ones get (an older scheme or lower
 * parameters) is replaced, unless the password changed in the meantime.
 */
function rehashStatements(env: Env, db: Db, user: User, password: string) {
  if (!needsRehash(env, user.passwordHash)) return [];
  return [
    db
      .update(users)
      .set({ passwordHash: hashPassword(env, password) })
      .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash))),
  ];
}

/**
 * Changing the password ends every other session (the caller's own stays open) and every reset
 * token still outstanding.
 */
export async function changePassword(
  ctx: Ctx,
  userId: string,
  sessionId: string,
  input: { current_password: string; new_password: string },
  limits: RateLimits,
) {
  // A stolen access token must not become an oracle for guessing the password.
  await limits.take({ 'password-change-user': userId });
  const user = await getUser(ctx.db, userId);
  if (!(await verifyPassword(input.current_password, user.passwordHash)))
    throw new ApiError('validation', 'The current password is incorrect', {
      errors: [{ path: 'current_password', message: 'Incorrect password' }],
    });
  assertPassword(input.new_password, user.email, 'new_password');
  const passwordHash = hashPassword(ctx.env, input.new_password);
  const now = Date.now();
  await ctx.db.batch([
    ctx.db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId)),
    revokeSessionsQuery(ctx.db, { userId, exceptSessionId: sessionId }, 'password_changed'),
    // A reset mailed before the change must not be able to undo it.
    ctx.db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    activityInsert(ctx, {
      orgId: user.personalOrgId,
      action: 'user.password_changed',
      entityType: 'user',
      entityId: userId,
    }),
  ]);
  await endStreams(
    ctx,
    { userId },
    {
      target: { kind: 'user', userId, exceptSessionId: sessionId },
      code: CLOSE_CREDENTIAL_ENDED,
      reason: 'session ended: password changed',
    },
  );
}

export function userMemberships(db: Db, userId: string) {
  return db
    .select({ org: organizations, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), isNull(organizations.deletedAt)))
    .orderBy(organizations.id);
}
