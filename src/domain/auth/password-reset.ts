import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { passwordResets, users } from '../../db/schema';
import type { Env } from '../../env';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { MINUTE } from '../../lib/time';
import { activityInsert } from '../activity/record';
import type { Defer } from '../context';
import { outboxMailer } from '../mail/mailer';
import { CLOSE_CREDENTIAL_ENDED } from '../streams/owners';
import { endStreams } from '../streams/revocation';
import { hashPassword, passwordProblem } from './password';
import type { RateLimits } from './rate-limits';
import { revokeSessionsQuery } from './sessions';
import { findUserByEmail, normalizeEmail } from './users';

export const RESET_TTL_MS = 30 * MINUTE;

/** Always succeeds from the caller's view, so it never reveals whether an account exists. */
export async function requestPasswordReset(
  env: Env,
  db: Db,
  email: string,
  ip: string | null,
  limits: RateLimits,
) {
  const normalized = normalizeEmail(email);
  await limits.take({ 'forgot-password-ip': ip ?? 'unknown', 'forgot-password-account': normalized });
  const user = await findUserByEmail(db, normalized);
  if (!user) return;
  const token = `prt_${randomToken(32)}`;
  const now = Date.now();
  await db.batch([
    db.insert(passwordResets).values({
      id: newId('prs'),
      userId: user.id,
      tokenHash: await sha256Hex(token),
      createdAt: now,
      expiresAt: now + RESET_TTL_MS,
    }),
    activityInsert(
      { env, db, actor: { type: 'user', id: user.id }, ip },
      {
        orgId: user.personalOrgId,
        action: 'user.password_reset_requested',
        entityType: 'user',
        entityId: user.id,
      },
    ),
  ]);
  await outboxMailer(db).send({
    to: user.email,
    subject: 'Reset your Foreman password',
    text: `Use this token within 30 minutes to choose a new password:\n\n${token}\n\nPOST /api/v1/auth/password/reset {"token": "…", "password": "…"}\n\nIf you did not ask for this, ignore this message.`,
  });
}

const INVALID_TOKEN = 'The reset token is invalid, expired or already used';

/** Statement that ends every reset token of the user still outstanding, for the caller's batch. */
function expireResetTokensQuery(db: Db, userId: string, now = Date.now()) {
  return db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
}

/**
 * Single use: the token is checked, the new password validated (a weak one leaves the token
 * usable), then the token is claimed by a conditional update so only one request can use it.
 * A successful reset ends every session and every other outstanding reset token of the user.
 */
export async function resetPassword(
  env: Env,
  db: Db,
  token: string,
  password: string,
  ip: string | null,
  defer?: Defer,
) {
  const now = Date.now();
  const usable = and(
    eq(passwordResets.tokenHash, await sha256Hex(token)),
    isNull(passwordResets.usedAt),
    gt(passwordResets.expiresAt, now),
  );
  const [found] = await db
    .select({ user: users })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(usable)
    .limit(1);
  if (!found) throw new ApiError('bad_request', INVALID_TOKEN);
  const { user } = found;
  const problem = passwordProblem(password, user.email);
  if (problem)
    throw new ApiError('validation', problem, { errors: [{ path: 'password', message: problem }] });

  const passwordHash = hashPassword(env, password);
  const claimed = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(usable)
    .returning({ id: passwordResets.id });
  if (claimed.length === 0) throw new ApiError('bad_request', INVALID_TOKEN);
  await db.batch([
    db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, user.id)),
    revokeSessionsQuery(db, { userId: user.id }, 'password_reset'),
    expireResetTokensQuery(db, user.id, now),
    activityInsert(
      { env, db, actor: { type: 'user', id: user.id }, ip },
      { orgId: user.personalOrgId, action: 'user.password_reset', entityType: 'user', entityId: user.id },
    ),
  ]);
  await endStreams(
    { env, db, defer },
    { userId: user.id },
    {
      target: { kind: 'user', userId: user.id },
      code: CLOSE_CREDENTIAL_ENDED,
      reason: 'session ended: password reset',
    },
  );
}
