/**
 * Who is calling: a signed-in user (through a session) or an organization's API key, with when
 * that credential stops working by itself (ms; null if it never does), for what outlives the
 * request, such as a live stream.
 */
export type Principal =
  | { type: 'user'; userId: string; sessionId: string; endsAt: number }
  | { type: 'api_key'; keyId: string; orgId: string; scopes: string[]; endsAt: number | null };

export interface Actor {
  type: 'user' | 'api_key' | 'agent' | 'system';
  id: string;
}

export const actorOf = (p: Principal): Actor =>
  p.type === 'user' ? { type: 'user', id: p.userId } : { type: 'api_key', id: p.keyId };
