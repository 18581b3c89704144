import { DurableObject } from 'cloudflare:workers';
import {
  expiry,
  type Revocation,
  type RevocationTarget,
  revokes,
  STREAM_OWNER_HEADER,
  type StreamCloseCode,
  type StreamOwner,
} from '../src/domain/streams/owners';
import {
  ALL_CHANNELS,
  applySubscription,
  filterMatches,
  gapAfter,
  parseClientFrame,
  type ReadResult,
  type StreamEvent,
  type StreamFilter,
  sseFrame,
} from '../src/domain/streams/protocol';
import type { Env } from '../src/env';
import type { JsonObject } from '../src/lib/json-value';
import { iso } from '../src/lib/time';

const SCHEMA_VERSION = 1;
/** A Server-Sent Events client this many chunks behind is dropped; it resumes with Last-Event-ID. */
const MAX_SSE_BACKLOG = 1000;
const SSE_KEEPALIVE_MS = 20_000;

export interface AppendInput {
  type: string;
  agent_id: string;
  /** The event's sequence number in its agent's hub; omitted on the agent hub itself. */
  agent_seq?: number;
  payload: Record<string, unknown>;
  /** When it happened (ms); now, unless the event is being relayed from another stream. */
  time?: number;
}

/** What each subscriber is kept with: a socket's attachment, or an SSE client's own record. */
interface Subscription {
  filter: StreamFilter;
  owner: StreamOwner;
}

interface SseClient extends Subscription {
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  type: string;
  agent_id: string;
  agent_seq: number;
  payload: string;
  time: number;
}

const encoder = new TextEncoder();

const toEvent = (r: EventRow): StreamEvent => ({
  seq: r.seq,
  type: r.type,
  agent_id: r.agent_id,
  agent_seq: r.agent_seq,
  payload: JSON.parse(r.payload),
  time: iso(r.time),
});

/**
 * A bounded, replayable event stream in SQLite storage with live subscribers: the common part of
 * an agent's hub and an organization's stream. Sequence numbers come from a counter in storage, so
 * they only grow and survive eviction; the buffer keeps the last `capacity` events.
 *
 * WebSockets use the hibernation API: each socket's filter lives in its attachment, so it survives
 * the object being evicted, and `ping` is answered by the runtime without waking the object.
 * Server-Sent Events clients hold the object awake; they are written without awaiting, and one
 * that falls too far behind is dropped rather than allowed to slow everyone else.
 *
 * Every subscription is kept with its owner (the credential it was opened with): a revocation
 * closes the ones it names (`revoke`), and an alarm at the earliest credential end closes those
 * whose credential ran out. Both close with a code and reason; SSE ends with a `closed` event.
 */
export abstract class EventStream extends DurableObject<Env> {
  protected abstract readonly capacity: number;
  protected lastSeq: number;
  private readonly sql: SqlStorage;
  /** Attachments, cached: deserialising one per socket per event would dominate fan-out. */
  private readonly subscriptions = new WeakMap<WebSocket, Subscription>();
  private readonly sse = new Set<SseClient>();
  private keepalive: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.migrate();
    this.lastSeq = Number(this.getMeta('last_seq') ?? 0);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  private migrate() {
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)');
    if (this.getMeta('schema_version') === SCHEMA_VERSION) return;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS events (
         seq INTEGER PRIMARY KEY, type TEXT NOT NULL, agent_id TEXT NOT NULL,
         agent_seq INTEGER NOT NULL, payload TEXT NOT NULL, time INTEGER NOT NULL)`,
    );
    this.setMeta('schema_version', SCHEMA_VERSION);
  }

  protected getMeta(key: string): SqlStorageValue | undefined {
    return this.sql.exec<{ value: SqlStorageValue }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]
      ?.value;
  }

  protected setMeta(key: string, value: SqlStorageValue) {
    this.sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /** Stores events under the next sequence numbers, trims the buffer, and delivers them live. */
  protected append(items: AppendInput[], alsoInTransaction?: () => void): StreamEvent[] {
    if (items.length === 0) return [];
    const now = Date.now();
    const events: StreamEvent[] = [];
    let seq = this.lastSeq;
    this.ctx.storage.transactionSync(() => {
      for (const item of items) {
        seq += 1;
        const payload = JSON.stringify(item.payload);
        const agentSeq = item.agent_seq ?? seq;
        const time = item.time ?? now;
        this.sql.exec(
          'INSERT INTO events (seq, type, agent_id, agent_seq, payload, time) VALUES (?, ?, ?, ?, ?, ?)',
          seq,
          item.type,
          item.agent_id,
          agentSeq,
          payload,
          time,
        );
        events.push({
          seq,
          type: item.type,
          agent_id: item.agent_id,
          agent_seq: agentSeq,
          // It has just been serialized as JSON, so it holds nothing else.
          payload: item.payload as JsonObject,
          time: iso(time),
        });
      }
      this.sql.exec('DELETE FROM events WHERE seq <= ?', seq - this.capacity);
      this.setMeta('last_seq', seq);
      alsoInTransaction?.();
    });
    this.lastSeq = seq;
    this.deliver(events);
    return events;
  }

  private oldestSeq() {
    const row = this.sql.exec<{ oldest: number | null }>('SELECT min(seq) AS oldest FROM events').one();
    return row.oldest ?? this.lastSeq + 1;
  }

  /** Events after `after` that match `filter`, in order, at most `limit`, saying what was dropped. */
  protected readAfter(after: number, limit: number, filter: StreamFilter): ReadResult {
    const gap = gapAfter(after, this.oldestSeq());
    const events: StreamEvent[] = [];
    let hasMore = false;
    const rows = this.sql.exec<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq', after);
    for (const row of rows) {
      if (!filterMatches(filter, row)) continue;
      if (events.length === limit) {
        hasMore = true;
        break;
      }
      events.push(toEvent(row));
    }
    const next = hasMore ? events.at(-1)!.seq : Math.max(after, this.lastSeq);
    return { events, next_cursor: next, has_more: hasMore, latest_seq: this.lastSeq, gap };
  }

  /** The RPC for cursor reads. */
  async read(after: number, limit: number, filter: StreamFilter): Promise<ReadResult> {
    return this.readAfter(after, limit, filter);
  }

  /**
   * Whether a credential may still open a subscription here: null, or the revocation that already
   * ended it (one recorded after the Worker checked it, which the Worker could not have seen).
   */
  protected abstract admit(owner: StreamOwner): Promise<Revocation | null>;

  /** Only live subscriptions come through fetch; the Worker has authenticated them. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const list = (name: string) => url.searchParams.get(name)?.split(',').filter(Boolean) ?? null;
    const filter: StreamFilter = { channels: list('channels') ?? ALL_CHANNELS, agents: list('agents') };
    const owner = JSON.parse(request.headers.get(STREAM_OWNER_HEADER) ?? 'null') as StreamOwner | null;
    if (!owner) return new Response('A subscription needs its owner', { status: 400 });
    // The Worker has already chosen between `?after=` and `Last-Event-ID`.
    const resumeFrom = url.searchParams.get('after');
    const after = resumeFrom === null ? null : Number(resumeFrom);
    const refused = (await this.admit(owner)) ?? (this.expired(owner, Date.now()) ? expiry(owner) : null);
    const sub = { filter, owner };
    const res =
      request.headers.get('Upgrade')?.toLowerCase() === 'websocket'
        ? this.acceptSocket(sub, refused ? null : after)
        : this.openEventStream(sub, refused ? null : after);
    // Refused after the upgrade rather than before, so the client learns why the same way either way.
    if (refused) this.closeWhere((o) => o === owner, refused);
    else if (owner.endsAt !== null) await this.alarmBy(owner.endsAt);
    return res;
  }

  private acceptSocket(sub: Subscription, after: number | null) {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(sub);
    this.subscriptions.set(server, sub);
    server.send(JSON.stringify({ op: 'ready', ...sub.filter, latest_seq: this.lastSeq }));
    if (after !== null) this.replayTo(server, sub.filter, after);
    return new Response(null, { status: 101, webSocket: client });
  }

  private subscriptionOf(ws: WebSocket): Subscription {
    let s = this.subscriptions.get(ws);
    if (!s) {
      s = ws.deserializeAttachment() as Subscription;
      this.subscriptions.set(ws, s);
    }
    return s;
  }

  private filterOf(ws: WebSocket): StreamFilter {
    return this.subscriptionOf(ws).filter;
  }

  private expired(owner: StreamOwner, now: number) {
    return owner.endsAt !== null && owner.endsAt <= now;
  }

  /**
   * Closes the subscriptions a revocation names, among those opened with a credential checked
   * before the revocation was made (`at`); returns how many subscriptions remain open.
   */
  async revoke(revocation: Revocation, at: number): Promise<number> {
    return this.closeWhere((owner) => owner.checkedAt <= at && revokes(revocation.target, owner), revocation);
  }

  /**
   * Brings the end of the subscriptions the target names (among those opened with a credential
   * checked before `at`) forward to `endsAt`, when the alarm closes them; returns how many
   * subscriptions remain open. A rotated API key's previous secrets end with the grace period.
   */
  async endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number> {
    const shortens = (owner: StreamOwner) =>
      owner.checkedAt <= at && revokes(target, owner) && (owner.endsAt === null || owner.endsAt > endsAt);
    let open = 0;
    let shortened = false;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      open += 1;
      const sub = this.subscriptionOf(ws);
      if (!shortens(sub.owner)) continue;
      const next = { ...sub, owner: { ...sub.owner, endsAt } };
      ws.serializeAttachment(next);
      this.subscriptions.set(ws, next);
      shortened = true;
    }
    for (const c of this.sse) {
      open += 1;
      if (!shortens(c.owner)) continue;
      c.owner = { ...c.owner, endsAt };
      shortened = true;
    }
    if (shortened) await this.alarmBy(endsAt);
    return open;
  }

  /**
   * Closes the matching WebSockets with the revocation's code and reason and ends the matching SSE
   * streams with a `closed` event saying the same; returns how many subscriptions remain open.
   */
  private closeWhere(matches: (owner: StreamOwner) => boolean, why: Revocation) {
    let open = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (matches(this.subscriptionOf(ws).owner)) closeSocket(ws, why.code, why.reason);
      else open += 1;
    }
    for (const c of [...this.sse]) {
      if (matches(c.owner)) this.endSse(c, why.code, why.reason);
      else open += 1;
    }
    return open;
  }

  /** Sets the alarm for `at` unless it is already due sooner. */
  protected async alarmBy(at: number) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Closes subscriptions whose credential has run out, and wakes again at the next such end. */
  override async alarm() {
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const check = (owner: StreamOwner) => {
      if (this.expired(owner, now)) return true;
      if (owner.endsAt !== null) next = Math.min(next, owner.endsAt);
      return false;
    };
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const { owner } = this.subscriptionOf(ws);
      if (check(owner)) closeSocket(ws, expiry(owner).code, expiry(owner).reason);
    }
    for (const c of [...this.sse])
      if (check(c.owner)) this.endSse(c, expiry(c.owner).code, expiry(c.owner).reason);
    if (next !== Number.POSITIVE_INFINITY) await this.alarmBy(next);
  }

  /** A `resumed` frame (with any gap) and then every held event after `after`, before live ones. */
  private replayTo(ws: WebSocket, filter: StreamFilter, after: number) {
    if (after > this.lastSeq) {
      send(ws, { op: 'error', detail: `after (${after}) is beyond the latest sequence (${this.lastSeq})` });
      return;
    }
    const r = this.readAfter(after, this.capacity, filter);
    send(ws, { op: 'resumed', after, replayed: r.events.length, gap: r.gap, latest_seq: r.latest_seq });
    for (const event of r.events) send(ws, { op: 'event', event });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    if (typeof message !== 'string')
      return send(ws, { op: 'error', detail: 'Binary frames are not accepted' });
    const frame = parseClientFrame(message);
    if (typeof frame === 'string') return send(ws, { op: 'error', detail: frame });
    const sub = this.subscriptionOf(ws);
    if (frame.op === 'resume') return this.replayTo(ws, sub.filter, frame.after);
    const channels = applySubscription(sub.filter.channels, frame);
    if (!channels) return send(ws, { op: 'error', detail: 'A socket may subscribe to at most 32 channels' });
    const next = { ...sub, filter: { ...sub.filter, channels } };
    ws.serializeAttachment(next);
    this.subscriptions.set(ws, next);
    send(ws, { op: 'subscribed', channels });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string) {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed: the runtime may have completed the close handshake itself.
    }
  }

  override async webSocketError(ws: WebSocket) {
    try {
      ws.close(1011, 'error');
    } catch {}
  }

  private openEventStream({ filter, owner }: Subscription, after: number | null) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const client: SseClient = { writer: writable.getWriter(), filter, owner };
    this.writeSse(client, `retry: 3000\n\n${sseFrame('ready', { ...filter, latest_seq: this.lastSeq })}`);
    if (after !== null) {
      const r = this.readAfter(after, this.capacity, filter);
      if (r.gap) this.writeSse(client, sseFrame('gap', { after, ...r.gap }));
      for (const e of r.events) this.writeSse(client, sseFrame(e.type, e, e.seq));
    }
    this.sse.add(client);
    this.keepalive ??= setInterval(() => {
      for (const c of this.sse) this.writeSse(c, ': keepalive\n\n');
    }, SSE_KEEPALIVE_MS);
    return new Response(readable, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      },
    });
  }

  private writeSse(client: SseClient, text: string) {
    if ((client.writer.desiredSize ?? 0) < -MAX_SSE_BACKLOG) return this.dropSse(client);
    client.writer.write(encoder.encode(text)).catch(() => this.dropSse(client));
  }

  private dropSse(client: SseClient) {
    if (!this.sse.delete(client)) return;
    client.writer.abort('dropped').catch(() => {});
    this.stopKeepaliveIfIdle();
  }

  /** Ends an SSE stream cleanly, after a last `closed` event saying why. */
  private endSse(client: SseClient, code: StreamCloseCode | null, reason: string) {
    this.writeSse(client, sseFrame('closed', code === null ? { reason } : { code, reason }));
    this.sse.delete(client);
    client.writer.close().catch(() => {});
    this.stopKeepaliveIfIdle();
  }

  private stopKeepaliveIfIdle() {
    if (this.sse.size === 0 && this.keepalive !== undefined) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
    }
  }

  private deliver(events: StreamEvent[]) {
    const sockets = this.ctx.getWebSockets();
    for (const event of events) {
      if (sockets.length > 0) {
        const frame = JSON.stringify({ op: 'event', event });
        for (const ws of sockets) if (filterMatches(this.filterOf(ws), event)) sendRaw(ws, frame);
      }
      if (this.sse.size > 0) {
        const text = sseFrame(event.type, event, event.seq);
        for (const c of this.sse) if (filterMatches(c.filter, event)) this.writeSse(c, text);
      }
    }
  }

  /** Ends every subscription and forgets everything, for a stream whose subject is gone. */
  protected closeAndErase(reason: string) {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1000, reason);
      } catch {}
    }
    for (const c of [...this.sse]) this.endSse(c, null, reason);
    // The counter stays, so a sequence number is never handed out twice.
    this.sql.exec('DELETE FROM events');
  }
}

function sendRaw(ws: WebSocket, frame: string) {
  try {
    ws.send(frame);
  } catch {
    // A socket that is closing; its close handler cleans up.
  }
}

const send = (ws: WebSocket, frame: unknown) => sendRaw(ws, JSON.stringify(frame));

function closeSocket(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing.
  }
}
