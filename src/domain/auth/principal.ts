/** Who is calling: a signed-in user (through a session) or an organization's API key. */
export type Principal =
  | { type: 'user'; userId: string; sessionId: string }
  | { type: 'api_key'; keyId: string; orgId: string; scopes: string[] };

export interface Actor {
  type: 'user' | 'api_key' | 'agent' | 'system';
  id: string;
}

export const actorOf = (p: Principal): Actor =>
  p.type === 'user' ? { type: 'user', id: p.userId } : { type: 'api_key', id: p.keyId };
