import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { totpBackupCodes, users } from '../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError, conflict, unauthenticated } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { activityInsert, activityInsertIf } from '../activity/record';
import type { Ctx } from '../context';
import type { RateLimits } from './rate-limits';
import { openPlatformSecret, sealPlatformSecret } from './secret-box';
import type { User } from './users';

const PERIOD = 30;
const BACKUP_CODES = 10;

const totpFor = (user: Pick<User, 'email'>, secret: Secret) =>
  new TOTP({ issuer: 'Foreman', label: user.email, algorithm: 'SHA1', digits: 6, period: PERIOD, secret });

const aad = (userId: string) => `totp:${userId}`;
const hashBackupCode = (userId: string, code: string) =>
  sha256Hex(`${userId}:${code.replaceAll('-', '').toLowerCase()}`);

function newBackupCode() {
  const raw = randomToken(8)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .padEnd(10, '7')
    .slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

function codeError(message: string, path = 'code') {
  return new ApiError('validation', message, { errors: [{ path, message }] });
}

/** Checks a TOTP code and returns its time step, or null; one step of clock drift is allowed. */
async function matchCode(ctx: Ctx, user: User, code: string): Promise<number | null> {
  if (!user.totpSecret) return null;
  const secret = Secret.fromBase32(await openPlatformSecret(ctx.env, user.totpSecret, aad(user.id)));
  const delta = totpFor(user, secret).validate({ token: code, window: 1 });
  if (delta === null) return null;
  return TOTP.counter({ period: PERIOD }) + delta;
}

/** Accepts a code at most once: the step must be newer than the last one used. */
async function consumeCode(ctx: Ctx, user: User, code: string): Promise<boolean> {
  const step = await matchCode(ctx, user, code);
  if (step === null) return false;
  const updated = await ctx.db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return updated.length > 0;
}

/** Starts (or restarts) enrolment: a new secret and backup codes, active once confirmed. */
export async function enrolTotp(ctx: Ctx, user: User) {
  if (user.totpEnabledAt !== null)
    throw conflict('Two-factor authentication is already enabled; disable it first');
  const secret = new Secret({ size: 20 });
  const codes = Array.from({ length: BACKUP_CODES }, newBackupCode);
  const now = Date.now();
  await ctx.db.batch([
    ctx.db
      .update(users)
      .set({
        totpSecret: await sealPlatformSecret(ctx.env, secret.base32, aad(user.id)),
        totpLastStep: null,
        updatedAt: now,
      })
      .where(eq(users.id, user.id)),
    ctx.db.delete(totpBackupCodes).where(eq(totpBackupCodes.userId, user.id)),
    ctx.db.insert(totpBackupCodes).values(
      await Promise.all(
        codes.map(async (code) => ({
          id: newId('bkc'),
          userId: user.id,
          codeHash: await hashBackupCode(user.id, code),
          createdAt: now,
        })),
      ),
    ),
    activityInsert(ctx, {
      orgId: user.personalOrgId,
      action: 'user.totp_enrolled',
      entityType: 'user',
      entityId: user.id,
    }),
  ]);
  return { secret: secret.base32, otpauth_uri: totpFor(user, secret).toString(), backup_codes: codes };
}

export async function confirmTotp(ctx: Ctx, user: User, code: string, limits: RateLimits) {
  if (user.totpEnabledAt !== null) throw conflict('Two-factor authentication is already enabled');
  if (!user.totpSecret) throw conflict('Start enrolment first (POST /api/v1/auth/totp/enrol)');
  await limits.take({ 'totp-user': user.id });
  if (!(await consumeCode(ctx, user, code))) throw codeError('The code is not valid');
  await ctx.db.batch([
    ctx.db
      .update(users)
      .set({ totpEnabledAt: Date.now(), updatedAt: Date.now() })
      .where(eq(users.id, user.id)),
    activityInsert(ctx, {
      orgId: user.personalOrgId,
      action: 'user.totp_enabled',
      entityType: 'user',
      entityId: user.id,
    }),
  ]);
}

export async function disableTotp(ctx: Ctx, user: User, code: string, limits: RateLimits) {
  if (user.totpEnabledAt === null) throw conflict('Two-factor authentication is not enabled');
  // The code is what stands between a stolen access token and turning two-factor off: 10^6
  // codes must not be guessable at request speed.
  await limits.take({ 'totp-user': user.id });
  if (!(await consumeCode(ctx, user, code))) throw codeError('The code is not valid');
  await ctx.db.batch([
    ctx.db
      .update(users)
      .set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, updatedAt: Date.now() })
      .where(eq(users.id, user.id)),
    ctx.db.delete(totpBackupCodes).where(eq(totpBackupCodes.userId, user.id)),
    activityInsert(ctx, {
      orgId: user.personalOrgId,
      action: 'user.totp_disabled',
      entityType: 'user',
      entityId: user.id,
    }),
  ]);
}

/**
 * At login, a user with TOTP enabled must give a current code or an unused backup code. Using a
 * backup code spends it and records that in one batch.
 */
export async function verifySecondFactor(
  ctx: Ctx,
  user: User,
  input: { totp_code?: string; backup_code?: string },
) {
  if (user.totpEnabledAt === null) return;
  if (input.totp_code) {
    if (await consumeCode(ctx, user, input.totp_code)) return;
    throw unauthenticated('The two-factor code is not valid');
  }
  if (input.backup_code) {
    const now = Date.now();
    const code = and(
      eq(totpBackupCodes.userId, user.id),
      eq(totpBackupCodes.codeHash, await hashBackupCode(user.id, input.backup_code)),
    );
    const [used] = await ctx.db.batch([
      ctx.db
        .update(totpBackupCodes)
        .set({ usedAt: now })
        .where(and(code, isNull(totpBackupCodes.usedAt)))
        .returning({ id: totpBackupCodes.id }),
      activityInsertIf(
        ctx,
        { orgId: user.personalOrgId, action: 'user.backup_code_used', entityType: 'user', entityId: user.id },
        sql`EXISTS (SELECT 1 FROM ${totpBackupCodes} WHERE ${and(code, eq(totpBackupCodes.usedAt, now))})`,
      ),
    ]);
    if (used.length === 0) throw unauthenticated('The backup code is not valid or was already used');
    return;
  }
  // A 401 like every other, so it carries WWW-Authenticate (RFC 9110 §15.5.2).
  throw new ApiError(
    'totp_required',
    'This account has two-factor authentication: send `totp_code` or `backup_code`',
    { headers: unauthenticated('').headers },
  );
}
