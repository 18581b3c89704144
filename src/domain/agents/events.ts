import type { Db } from '../../db/client';
import type { Env } from '../../env';
import type { DomainEvent } from '../commit';
import type { EventType } from '../events/catalog';
import { ownerHeader, type StreamOwner } from '../streams/owners';
import type { AgentRef, PublishInput, ReadResult, StreamEvent, StreamFilter } from '../streams/protocol';
import { getAgentRow } from './shared';

/** The agent event types, all from the one event catalog. */
export type AgentEventType = Extract<EventType, `agent.${string}`>;

/** What an agent runtime may publish itself; status and messages go through their own routes. */
export const RUNTIME_EVENT_TYPES = [
  'agent.output',
  'agent.thinking',
  'agent.tool_call',
  'agent.error',
] as const;

/** Stubs typed by the objects' own RPC methods, through the bindings declared in env.ts. */
export const hubOf = (env: Env, agentId: string) => env.AGENT_HUB.get(env.AGENT_HUB.idFromName(agentId));
export const orgStreamOf = (env: Env, orgId: string) => env.ORG_STREAM.get(env.ORG_STREAM.idFromName(orgId));
export type OrgStreamStub = ReturnType<typeof orgStreamOf>;

/** The platform's own publishing: stored in the agent's hub, delivered live, relayed to the org. */
export async function publishAgentEvent(
  env: Env,
  ref: AgentRef,
  type: EventType,
  payload: Record<string, unknown>,
): Promise<StreamEvent> {
  const [event] = await hubOf(env, ref.agentId).publish(ref, [{ type, payload }]);
  return event!;
}

export async function publishAgentEvents(
  env: Env,
  ref: AgentRef,
  items: PublishInput[],
): Promise<StreamEvent[]> {
  return hubOf(env, ref.agentId).publish(ref, items);
}

/**
 * An event for `commit` to publish to the agent's hub once the change it announces has landed.
 * Publishing it again answers the first publication, so the caller can read what was published.
 */
export function agentEvent(
  env: Env,
  ref: AgentRef,
  type: EventType,
  payload: Record<string, unknown>,
): DomainEvent<StreamEvent> {
  let published: Promise<StreamEvent> | undefined;
  return { publish: () => (published ??= publishAgentEvent(env, ref, type, payload)) };
}

/** The agent's last event, for `commit`: its hub publishes it, closes its subscribers and empties. */
export const agentRetired = (env: Env, ref: AgentRef, last: PublishInput): DomainEvent => ({
  publish: () => hubOf(env, ref.agentId).retire(ref, last),
});

/**
 * Publishing and reading are the hot paths: a hub that knows it serves the agent answers
 * without the database; otherwise the agent is looked up (404 for a missing or another
 * organization's agent) and the hub is told.
 */
export async function publishToAgent(ctx: { env: Env; db: Db }, ref: AgentRef, items: PublishInput[]) {
  const hub = hubOf(ctx.env, ref.agentId);
  const events = await hub.publishIfServed(ref, items);
  if (events) return events;
  await getAgentRow(ctx.db, ref.orgId, ref.agentId);
  return hub.publish(ref, items);
}

export async function readAgentEvents(
  ctx: { env: Env; db: Db },
  ref: AgentRef,
  after: number,
  limit: number,
  filter: StreamFilter,
): Promise<ReadResult> {
  const hub = hubOf(ctx.env, ref.agentId);
  const result = await hub.readIfServed(ref, after, limit, filter);
  if (result) return result;
  await getAgentRow(ctx.db, ref.orgId, ref.agentId);
  return hub.read(after, limit, filter);
}

export const readOrgEvents = (env: Env, orgId: string, after: number, limit: number, filter: StreamFilter) =>
  orgStreamOf(env, orgId).read(after, limit, filter);

export interface SubscribeOptions {
  websocket: boolean;
  /** The credential the subscription is opened with; it ends when that is revoked or runs out. */
  owner: StreamOwner;
  filter: StreamFilter;
  /** Resume after this sequence number (from `?after=` or `Last-Event-ID`). */
  after?: number;
}

/** The internal request a hub or organization stream turns into a WebSocket or an event stream. */
export function subscribeRequest(o: SubscribeOptions) {
  const url = new URL('https://stream.internal/subscribe');
  url.searchParams.set('channels', o.filter.channels.join(','));
  if (o.filter.agents) url.searchParams.set('agents', o.filter.agents.join(','));
  if (o.after !== undefined) url.searchParams.set('after', String(o.after));
  const headers: Record<string, string> = ownerHeader(o.owner);
  if (o.websocket) headers.Upgrade = 'websocket';
  return new Request(url, { headers });
}

/** A Durable Object's response, re-made so middleware can add headers (WebSocket included). */
export function relayed(res: Response) {
  return new Response(res.body, { status: res.status, headers: res.headers, webSocket: res.webSocket });
}
