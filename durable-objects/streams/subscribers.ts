import type { StreamCloseCode, StreamOwner } from '../../src/domain/streams/owners';
import {
  applySubscription,
  filterMatches,
  parseClientFrame,
  type StreamEvent,
  type StreamFilter,
  sseFrame,
} from '../../src/domain/streams/protocol';
import type { Held } from './credentials';
import type { EventLog } from './event-log';
import { closeSocket, send, sendRaw } from './sockets';

/** A Server-Sent Events client this many chunks behind is dropped; it resumes with Last-Event-ID. */
const MAX_SSE_BACKLOG = 1000;
const SSE_KEEPALIVE_MS = 20_000;

const encoder = new TextEncoder();

/** What each subscriber is kept with: a socket's attachment, or an SSE client's own record. */
export interface Subscription {
  filter: StreamFilter;
  owner: StreamOwner;
}

interface SseClient extends Subscription {
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

/**
 * The live subscribers of an event log, each with its filter and owner. WebSockets use the
 * hibernation API: each socket's subscription lives in its attachment, so it survives the object
 * being evicted, and `ping` is answered by the runtime without waking the object. Server-Sent
 * Events clients hold the object awake; they are written without awaiting, and one that falls too
 * far behind is dropped rather than allowed to slow everyone else.
 */
export class Subscribers {
  /** Attachments, cached: deserialising one per socket per event would dominate fan-out. */
  private readonly subscriptions = new WeakMap<WebSocket, Subscription>();
  private readonly sse = new Set<SseClient>();
  private keepalive: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly log: EventLog,
  ) {}

  /** A WebSocket subscription, replaying after `after` first when given. */
  acceptSocket(sub: Subscription, after: number | null) {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    this.keep(server, sub);
    server.send(JSON.stringify({ op: 'ready', ...sub.filter, latest_seq: this.log.lastSeq }));
    if (after !== null) this.replayTo(server, sub.filter, after);
    return new Response(null, { status: 101, webSocket: client });
  }

  private keep(ws: WebSocket, sub: Subscription) {
    ws.serializeAttachment(sub);
    this.subscriptions.set(ws, sub);
  }

  private subscriptionOf(ws: WebSocket): Subscription {
    let s = this.subscriptions.get(ws);
    if (!s) {
      s = ws.deserializeAttachment() as Subscription;
      this.subscriptions.set(ws, s);
    }
    return s;
  }

  /** A `resumed` frame (with any gap) and then every held event after `after`, before live ones. */
  private replayTo(ws: WebSocket, filter: StreamFilter, after: number) {
    const last = this.log.lastSeq;
    if (after > last) {
      send(ws, { op: 'error', detail: `after (${after}) is beyond the latest sequence (${last})` });
      return;
    }
    const r = this.log.readAfter(after, this.log.capacity, filter);
    send(ws, { op: 'resumed', after, replayed: r.events.length, gap: r.gap, latest_seq: r.latest_seq });
    for (const event of r.events) send(ws, { op: 'event', event });
  }

  /** A client's frame: a resumption or a change of channels. */
  message(ws: WebSocket, message: string | ArrayBuffer) {
    if (typeof message !== 'string')
      return send(ws, { op: 'error', detail: 'Binary frames are not accepted' });
    const frame = parseClientFrame(message);
    if (typeof frame === 'string') return send(ws, { op: 'error', detail: frame });
    const sub = this.subscriptionOf(ws);
    if (frame.op === 'resume') return this.replayTo(ws, sub.filter, frame.after);
    const channels = applySubscription(sub.filter.channels, frame);
    if (!channels) return send(ws, { op: 'error', detail: 'A socket may subscribe to at most 32 channels' });
    this.keep(ws, { ...sub, filter: { ...sub.filter, channels } });
    send(ws, { op: 'subscribed', channels });
  }

  /** An SSE subscription, replaying after `after` first when given. */
  openEventStream({ filter, owner }: Subscription, after: number | null) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const client: SseClient = { writer: writable.getWriter(), filter, owner };
    this.writeSse(client, `retry: 3000\n\n${sseFrame('ready', { ...filter, latest_seq: this.log.lastSeq })}`);
    if (after !== null) {
      const r = this.log.readAfter(after, this.log.capacity, filter);
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

  deliver(events: StreamEvent[]) {
    const sockets = this.ctx.getWebSockets();
    for (const event of events) {
      if (sockets.length > 0) {
        const frame = JSON.stringify({ op: 'event', event });
        for (const ws of sockets)
          if (filterMatches(this.subscriptionOf(ws).filter, event)) sendRaw(ws, frame);
      }
      if (this.sse.size > 0) {
        const text = sseFrame(event.type, event, event.seq);
        for (const c of this.sse) if (filterMatches(c.filter, event)) this.writeSse(c, text);
      }
    }
  }

  /** Every open subscription, for the credential checks. */
  held(): Held[] {
    const out: Held[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const sub = this.subscriptionOf(ws);
      out.push({
        owner: sub.owner,
        close: (code, reason) => closeSocket(ws, code, reason),
        reown: (owner) => this.keep(ws, { ...this.subscriptionOf(ws), owner }),
      });
    }
    for (const c of this.sse)
      out.push({
        owner: c.owner,
        close: (code, reason) => this.endSse(c, code, reason),
        reown: (owner) => {
          c.owner = owner;
        },
      });
    return out;
  }

  /** Ends every subscription normally, saying why. */
  closeAll(reason: string) {
    for (const ws of this.ctx.getWebSockets()) closeSocket(ws, 1000, reason);
    for (const c of [...this.sse]) this.endSse(c, null, reason);
  }
}
