/**
 * What agent hubs, the organization stream and the Worker agree on: the event shape, channel
 * filters, cursor reads and the WebSocket protocol. Pure, so it is tested without a runtime.
 */

import type { JsonObject } from '../../lib/json-value';

/** Which agent (of which organization) a hub call is about. */
export interface AgentRef {
  orgId: string;
  agentId: string;
}

/** An event as a publisher hands it to a hub; the route or the platform has checked it is JSON. */
export interface PublishInput {
  type: string;
  payload: Record<string, unknown>;
}

/** An event as stored by a hub and delivered to readers and subscribers. */
export interface StreamEvent {
  /** The stream's own sequence number: 1, 2, 3… per agent hub (or per organization stream). */
  seq: number;
  type: string;
  agent_id: string;
  /** The event's sequence number in its agent's hub; equal to `seq` on an agent hub. */
  agent_seq: number;
  payload: JsonObject;
  time: string;
}

/** Which events a reader or subscriber wants. */
export interface StreamFilter {
  /** Event types; `*` is every type and `agent.*` every type starting with `agent.`. */
  channels: string[];
  /** Agent ids (organization stream only); null is every agent. */
  agents: string[] | null;
}

export const ALL_CHANNELS = ['*'];
export const MAX_CHANNELS = 32;
export const MAX_FILTER_AGENTS = 32;
export const CHANNEL_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

export function channelMatches(channels: readonly string[], type: string) {
  for (const c of channels) {
    if (c === '*' || c === type) return true;
    if (c.endsWith('.*') && type.startsWith(c.slice(0, -1))) return true;
  }
  return false;
}

export const filterMatches = (f: StreamFilter, e: Pick<StreamEvent, 'type' | 'agent_id'>) =>
  channelMatches(f.channels, e.type) && (f.agents === null || f.agents.includes(e.agent_id));

/** Events after a cursor that are no longer held: the reader must know it missed them. */
export interface Gap {
  /** How many events after the cursor were dropped from the buffer. */
  dropped: number;
  /** The oldest sequence number still held. */
  oldest_seq: number;
}

/** For a buffer holding `oldest…latest` (empty when oldest > latest), what a cursor missed. */
export function gapAfter(after: number, oldest: number): Gap | null {
  return after < oldest - 1 ? { dropped: oldest - 1 - after, oldest_seq: oldest } : null;
}

export interface ReadResult {
  events: StreamEvent[];
  /** Pass as `after` to continue; the last event returned, or the latest sequence when caught up. */
  next_cursor: number;
  has_more: boolean;
  latest_seq: number;
  gap: Gap | null;
}

/** Frames a WebSocket client sends; anything else is answered with an `error` frame. */
export type ClientFrame =
  | { op: 'subscribe'; channels: string[] }
  | { op: 'unsubscribe'; channels: string[] }
  | { op: 'resume'; after: number };

/** A short string is quoted back; anything else is named by its kind (it may nest past what JSON.stringify reaches). */
const shown = (v: unknown) =>
  typeof v === 'string' && v.length <= 64 ? JSON.stringify(v) : `a ${Array.isArray(v) ? 'list' : typeof v}`;

export function parseClientFrame(text: string): ClientFrame | string {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return 'Frames must be JSON objects (or the text "ping")';
  }
  if (typeof msg !== 'object' || msg === null) return 'Frames must be JSON objects';
  const m = msg as Record<string, unknown>;
  if (m.op === 'subscribe' || m.op === 'unsubscribe') {
    const channels = m.channels;
    if (!Array.isArray(channels) || channels.length === 0 || channels.length > MAX_CHANNELS)
      return `channels must be a list of 1–${MAX_CHANNELS} event types`;
    for (const c of channels)
      if (typeof c !== 'string' || c.length > 64 || !CHANNEL_PATTERN.test(c))
        return `Not a channel: ${shown(c)} (use an event type, a prefix like "agent.*", or "*")`;
    return { op: m.op, channels: channels as string[] };
  }
  if (m.op === 'resume') {
    if (typeof m.after !== 'number' || !Number.isSafeInteger(m.after) || m.after < 0)
      return 'after must be a sequence number (an integer ≥ 0)';
    return { op: 'resume', after: m.after };
  }
  return 'op must be subscribe, unsubscribe or resume';
}

/** Channel sets after a subscribe or unsubscribe; `*` in an unsubscribe clears everything. */
export function applySubscription(current: string[], frame: Extract<ClientFrame, { channels: string[] }>) {
  if (frame.op === 'subscribe') {
    const next = [...new Set([...current, ...frame.channels])];
    return next.length > MAX_CHANNELS ? null : next;
  }
  if (frame.channels.includes('*')) return [];
  return current.filter((c) => !frame.channels.includes(c));
}

/** One Server-Sent Events frame; events carry `id:` so `Last-Event-ID` resumes them. */
export function sseFrame(event: string, data: unknown, id?: number) {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
