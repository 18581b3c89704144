import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { refreshTokens, sessions, users } from '../../db/schema';
import type { Env } from '../../env';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { unauthenticated } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { DAY } from '../../lib/time';
import { activityInsert } from '../activity/record';
import type { Ctx, Defer } from '../context';
import { CLOSE_CREDENTIAL_ENDED } from '../streams/owners';
import { endStreams } from '../streams/revocation';
import { CredentialCache } from './credential-cache';
import { ACCESS_TTL_SECONDS, signToken } from './tokens';

export const SESSION_TTL_MS = 30 * DAY;

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  session_id: string;
}

async function issue(env: Env, userId: string, sessionId: string, refreshToken: string): Promise<TokenPair> {
  return {
    access_token: await signToken(env, 'access', userId, { sid: sessionId }, ACCESS_TTL_SECONDS),
    token_type: 'Bearer',
    expires_in: ACCESS_TTL_SECONDS,
    refresh_token: refreshToken,
    session_id: sessionId,
  };
}

/** Statements that open a session with its first refresh token, for the caller's batch. */
export async function openSession(
  env: Env,
  db: Db,
  userId: string,
  meta: { ip: string | null; userAgent: string | null },
) {
  const now = Date.now();
  const sessionId = newId('ses');
  const refresh = `frt_${randomToken(32)}`;
  const statements = [
    db.insert(sessions).values({
      id: sessionId,
      userId,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    }),
    db.insert(refreshTokens).values({
      id: newId('rft'),
      sessionId,
      tokenHash: await sha256Hex(refresh),
      createdAt: now,
    }),
  ] as const;
  return { statements, tokens: await issue(env, userId, sessionId, refresh) };
}

export type RefreshOutcome =
  | { ok: true; tokens: TokenPair; userId: string; personalOrgId: string }
  | { ok: false; reuse: { sessionId: string; userId: string; personalOrgId: string } | null };

/**
 * Rotates a refresh token. A token that was already rotated is reuse — a sign it was stolen —
 * and revokes its whole session (the token family), recorded in the owner's personal organization.
 */
export async function rotateRefreshToken(
  env: Env,
  db: Db,
  presented: string,
  ip: string | null,
  defer?: Defer,
): Promise<RefreshOutcome> {
  const now = Date.now();
  const [row] = await db
    .select({ token: refreshTokens, session: sessions, personalOrgId: users.personalOrgId })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .limit(1);
  if (!row) return { ok: false, reuse: null };
  const { token, session, personalOrgId } = row;
  if (session.revokedAt !== null || session.expiresAt <= now) return { ok: false, reuse: null };

  // Only one of two concurrent refreshes with the same token can mark it used.
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(and(eq(refreshTokens.id, token.id), isNull(refreshTokens.usedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length === 0) {
    const system: Ctx = { env, db, actor: { type: 'system', id: 'auth' }, ip };
    await db.batch([
      revokeSessionsQuery(db, { sessionId: session.id }, 'refresh_token_reuse'),
      activityInsert(system, {
        orgId: personalOrgId,
        action: 'session.refresh_reuse_detected',
        entityType: 'session',
        entityId: session.id,
      }),
    ]);
    await endStreams(
      { env, db, defer },
      { userId: session.userId },
      {
        target: { kind: 'session', sessionId: session.id },
        code: CLOSE_CREDENTIAL_ENDED,
        reason: 'session ended: refresh token reused',
      },
    );
    return { ok: false, reuse: { sessionId: session.id, userId: session.userId, personalOrgId } };
  }
  const next = `frt_${randomToken(32)}`;
  await db.insert(refreshTokens).values({
    id: newId('rft'),
    sessionId: session.id,
    tokenHash: await sha256Hex(next),
    createdAt: now,
  });
  return {
    ok: true,
    tokens: await issue(env, session.userId, session.id, next),
    userId: session.userId,
    personalOrgId,
  };
}

export function revokeSessionsQuery(
  db: Db,
  which: { sessionId: string } | { userId: string; exceptSessionId?: string },
  reason: string,
) {
  openSessions.forget((v, id) =>
    'sessionId' in which ? id === which.sessionId : v.userId === which.userId && id !== which.exceptSessionId,
  );
  const now = Date.now();
  const target =
    'sessionId' in which
      ? eq(sessions.id, which.sessionId)
      : and(
          eq(sessions.userId, which.userId),
          which.exceptSessionId ? ne(sessions.id, which.exceptSessionId) : undefined,
        );
  return db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(target, isNull(sessions.revokedAt)));
}

/** Sessions recently confirmed open, by id, with their owner and end. */
const openSessions = new CredentialCache<{ userId: string; expiresAt: number }>();

/** When this isolate confirmed the session open within the last second: when it ends (ms). */
export function sessionKnownOpen(sessionId: string, userId: string, now = Date.now()) {
  const cached = openSessions.get(sessionId, now);
  return cached !== undefined && cached.userId === userId && cached.expiresAt > now ? cached.expiresAt : null;
}

/**
 * Reads whether a session is open, as a query the caller may batch with others; `check` then
 * refuses a closed one, remembers an open one and returns when it ends (ms).
 */
export function sessionCheck(db: Db, sessionId: string, userId: string, now = Date.now()) {
  const readAt = openSessions.version;
  return {
    query: db
      .select({ expiresAt: sessions.expiresAt })
      .from(sessions)
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
        ),
      )
      .limit(1),
    check(rows: { expiresAt: number }[]) {
      const row = rows[0];
      if (!row) throw unauthenticated('The session has ended; sign in again');
      openSessions.set(sessionId, { userId, expiresAt: row.expiresAt }, now, readAt);
      return row.expiresAt;
    },
  };
}

/**
 * The session behind an access token must still be open: logout takes effect at once. Returns
 * when the session ends by itself (ms).
 */
export async function assertSessionActive(db: Db, sessionId: string, userId: string): Promise<number> {
  const now = Date.now();
  const known = sessionKnownOpen(sessionId, userId, now);
  if (known !== null) return known;
  const { query, check } = sessionCheck(db, sessionId, userId, now);
  return check(await query);
}
