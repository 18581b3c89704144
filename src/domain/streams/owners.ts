import { CREDENTIAL_CACHE_TTL_MS } from '../auth/credential-cache';
import type { Principal } from '../auth/principal';

/**
 * Whose credential holds each live stream open, and which revocations end it: what the Worker,
 * the agent hubs and the organization streams agree on. Pure, so it is tested without a runtime.
 */

/** WebSocket close codes (and the `code` of an SSE `closed` event) when a stream's access ends. */
export const CLOSE_CREDENTIAL_ENDED = 4401;
export const CLOSE_ACCESS_ENDED = 4403;
export type StreamCloseCode = typeof CLOSE_CREDENTIAL_ENDED | typeof CLOSE_ACCESS_ENDED;

/** The internal header in which the Worker names the credential a subscription is opened with. */
export const STREAM_OWNER_HEADER = 'X-Stream-Owner';

/** The credential a stream was opened with, kept with the connection for as long as it lives. */
export interface StreamOwner {
  credential: 'session' | 'api_key';
  /** The session's id (for a ticket too: the session it was issued to) or the API key's id. */
  credentialId: string;
  /** The signed-in user; null for an API key. */
  userId: string | null;
  orgId: string;
  /** When the credential stops working by itself (ms), or null if it never does. */
  endsAt: number | null;
  /**
   * The credential was checked no earlier than this (ms). A revocation recorded after it ends
   * the stream even if it arrives first: another isolate may have trusted a cached check.
   */
  checkedAt: number;
}

/** The header that names a stream's owner to the object that holds the stream. */
export const ownerHeader = (owner: StreamOwner) => ({ [STREAM_OWNER_HEADER]: JSON.stringify(owner) });

/** Whose streams a revocation ends, within the organization it is sent to. */
export type RevocationTarget =
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string; exceptSessionId?: string }
  | { kind: 'api_key'; keyId: string }
  | { kind: 'org' };

export interface Revocation {
  target: RevocationTarget;
  code: StreamCloseCode;
  /** Said to the client as the close reason (at most 123 bytes in a WebSocket close frame). */
  reason: string;
}

/** The owner of a stream the principal opens in the organization now. */
export function streamOwner(p: Principal, orgId: string, now = Date.now()): StreamOwner {
  return {
    credential: p.type === 'user' ? 'session' : 'api_key',
    credentialId: p.type === 'user' ? p.sessionId : p.keyId,
    userId: p.type === 'user' ? p.userId : null,
    orgId,
    endsAt: p.endsAt,
    // The check may have come from an isolate's cache, which trusts one this long.
    checkedAt: now - CREDENTIAL_CACHE_TTL_MS,
  };
}

export function revokes(target: RevocationTarget, owner: StreamOwner) {
  switch (target.kind) {
    case 'session':
      return owner.credential === 'session' && owner.credentialId === target.sessionId;
    case 'user':
      return owner.userId === target.userId && owner.credentialId !== target.exceptSessionId;
    case 'api_key':
      return owner.credential === 'api_key' && owner.credentialId === target.keyId;
    case 'org':
      return true;
  }
}

/** The close for a stream whose credential ran out on its own. */
export const expiry = (owner: StreamOwner): Revocation => ({
  target: { kind: 'org' },
  code: CLOSE_CREDENTIAL_ENDED,
  reason: owner.credential === 'api_key' ? 'api key expired' : 'session expired',
});
