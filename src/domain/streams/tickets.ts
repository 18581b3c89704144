import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { unauthenticated } from '../../lib/errors';
import { getAgentRow } from '../agents/shared';
import { assertSessionActive } from '../auth/sessions';
import { signToken, verifyToken } from '../auth/tokens';
import { resolveOrg } from '../orgs/context';
import { type StreamOwner, streamOwner } from './owners';

/** Long enough to open a connection, short enough that a leaked URL is soon useless. */
export const STREAM_TICKET_TTL_SECONDS = 60;

export interface StreamTarget {
  orgId: string;
  /** An agent's hub, or (null) the organization stream. */
  agentId: string | null;
}

export interface RedeemedTicket extends StreamTarget {
  /** The session the ticket was issued to: the stream lives as long as it does. */
  owner: StreamOwner;
}

/**
 * Browsers cannot set `Authorization` on a WebSocket upgrade or an EventSource, so a signed-in
 * user trades their access token for a short-lived ticket naming one stream, and passes it in
 * the URL. The ticket is a JWT of its own kind, so it cannot pass for an access token.
 */
export async function issueStreamTicket(
  env: Env,
  user: { userId: string; sessionId: string },
  target: StreamTarget,
) {
  const ticket = await signToken(
    env,
    'ws_ticket',
    user.userId,
    { sid: user.sessionId, org: target.orgId, agent: target.agentId },
    STREAM_TICKET_TTL_SECONDS,
  );
  return { ticket, expiresAt: Date.now() + STREAM_TICKET_TTL_SECONDS * 1000 };
}

/**
 * Checks a ticket as the access token it stands for would be checked now: the session is still
 * open, the user still belongs to the organization, and the agent still exists there.
 */
export async function redeemStreamTicket(env: Env, db: Db, ticket: string): Promise<RedeemedTicket> {
  const now = Date.now();
  const claims = await verifyToken(env, 'ws_ticket', ticket);
  const { sid, org, agent } = claims as { sid?: unknown; org?: unknown; agent?: unknown };
  if (typeof sid !== 'string' || typeof org !== 'string' || (agent !== null && typeof agent !== 'string'))
    throw unauthenticated('The ticket is invalid');
  const endsAt = await assertSessionActive(db, sid, claims.sub);
  const principal = { type: 'user' as const, userId: claims.sub, sessionId: sid, endsAt };
  const ctx = await resolveOrg(db, principal, org);
  if (agent !== null) await getAgentRow(db, ctx.id, agent);
  return { orgId: ctx.id, agentId: agent, owner: streamOwner(principal, ctx.id, now) };
}
