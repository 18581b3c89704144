import { isTerminal, type Presence, type SessionEvent, sseBlock } from '../../src/domain/chat/protocol';
import { UI_STREAM_HEADER, UiStreamTranslator } from '../../src/domain/chat/ui-stream';
import type { StreamCloseCode, StreamOwner } from '../../src/domain/streams/owners';
import type { Held } from '../streams/credentials';
import { closeSocket } from '../streams/sockets';
import type { Replay } from './event-log';

const encoder = new TextEncoder();
/** A Server-Sent Events client this many chunks behind is dropped; it resumes with Last-Event-ID. */
const MAX_SSE_BACKLOG = 1000;

/** Kept in each socket's attachment, so it survives hibernation. */
export interface Participant {
  /** The user, or the API key for a program. */
  actorId: string;
  /** The credential the socket was opened with; it closes when that ends. */
  owner: StreamOwner;
}

interface SseClient {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** A reply's stream (ends with the reply), or the whole session's (null). */
  replyId: string | null;
  ui: UiStreamTranslator | null;
  owner: StreamOwner;
}

/** The headers of an SSE stream, in Foreman's frames or the UI message stream protocol. */
export const sseHeaders = (ui: boolean) => ({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  ...(ui ? UI_STREAM_HEADER : {}),
});

function sendRaw(ws: WebSocket, frame: string) {
  try {
    ws.send(frame);
  } catch {
    // A socket that is closing; its close handler cleans up.
  }
}

/**
 * Everyone connected to a session: hibernatable WebSockets (participants) and Server-Sent Events
 * clients (a reply's sender, or participants who prefer SSE). Events are written without awaiting;
 * an SSE client that falls too far behind is dropped rather than allowed to slow everyone else.
 * Sockets get events at the end of the turn that delivered them (see `deliver`); anything else
 * written to a socket first sends what is waiting, so each socket sees everything in order.
 */
export class Fanout {
  private readonly sse = new Set<SseClient>();
  /** Attachments, cached: deserialising one per socket per frame would dominate fan-out. */
  private readonly participants = new WeakMap<WebSocket, Participant>();
  /** Delivered events the sockets have not been sent yet, and the timer that sends them. */
  private waiting: SessionEvent[] = [];
  private sending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: DurableObjectState) {}

  participantOf(ws: WebSocket): Participant {
    let p = this.participants.get(ws);
    if (!p) {
      p = ws.deserializeAttachment() as Participant;
      this.participants.set(ws, p);
    }
    return p;
  }

  accept(participant: Participant, hello: unknown, replay: Replay | null): Response {
    // Before it joins: its replay (or its live stream) has what is waiting.
    this.sendWaiting();
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(participant);
    this.participants.set(server, participant);
    sendRaw(server, JSON.stringify(hello));
    if (replay) this.replayTo(server, replay);
    this.presence({ user_id: participant.actorId, state: 'join' }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** What a socket missed: a `gap` frame first if the log no longer holds all of it. */
  replayTo(ws: WebSocket, { after, events, gap }: Replay) {
    // What is waiting was delivered before the replay was read: it goes first, as it would have.
    this.sendWaiting();
    if (gap) sendRaw(ws, JSON.stringify({ op: 'gap', after, ...gap }));
    for (const event of events) sendRaw(ws, JSON.stringify({ op: 'event', event }));
  }

  online(): string[] {
    return [...new Set(this.sockets().map((ws) => this.participantOf(ws).actorId))];
  }

  private sockets() {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** A session stream over SSE, or one reply's (ending with it), in Foreman's frames or the UI protocol. */
  openSse(
    replyId: string | null,
    replay: Replay | null,
    ui: boolean,
    finished: boolean,
    owner: StreamOwner,
  ): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const client: SseClient = {
      writer: writable.getWriter(),
      replyId,
      ui: ui && replyId ? new UiStreamTranslator(replyId) : null,
      owner,
    };
    // A client that went away errors the stream: it is dropped now, not at the next frame.
    client.writer.closed.catch(() => this.drop(client));
    this.write(client, 'retry: 3000\n\n');
    if (replay?.gap) this.writeGap(client, replay);
    for (const e of replay?.events ?? []) this.writeEvent(client, e);
    if (finished) this.end(client);
    else this.sse.add(client);
    return new Response(readable, { headers: sseHeaders(client.ui !== null) });
  }

  deliver(event: SessionEvent) {
    for (const c of this.sse) {
      if (c.replyId !== null && (event.type !== 'frame' || event.reply_id !== c.replyId)) continue;
      this.writeEvent(c, event);
      if (c.replyId !== null && event.type === 'frame' && isTerminal(event.frame)) {
        this.sse.delete(c);
        this.end(c);
      }
    }
    // Participants' copies leave after the turn's other messages. A send's turn stores the
    // message and runs the reply to its first frame; its answer, the sender's stream, then leaves
    // first rather than behind two frames to every participant (40 writes for 20 of them).
    this.waiting.push(event);
    this.sending ??= setTimeout(() => this.sendWaiting(), 0);
  }

  /** Sends the sockets the events delivered since the last time, in order. */
  private sendWaiting() {
    if (this.sending !== undefined) clearTimeout(this.sending);
    this.sending = undefined;
    if (this.waiting.length === 0) return;
    const events = this.waiting;
    this.waiting = [];
    const sockets = this.sockets();
    if (sockets.length === 0) return;
    for (const event of events) {
      const frame = JSON.stringify({ op: 'event', event });
      for (const ws of sockets) sendRaw(ws, frame);
    }
  }

  presence(p: Presence, except?: WebSocket) {
    this.sendWaiting();
    const frame = JSON.stringify({ op: 'presence', ...p });
    for (const ws of this.sockets()) if (ws !== except) sendRaw(ws, frame);
    const text = sseBlock(p, undefined, 'presence');
    for (const c of this.sse) if (c.replyId === null) this.write(c, text);
  }

  /** Ends every connection, for a session being deleted. */
  closeAll(reason: string) {
    this.sendWaiting();
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1000, reason);
      } catch {}
    }
    for (const c of [...this.sse]) {
      this.sse.delete(c);
      this.end(c);
    }
  }

  /** Every open connection, for the credential checks: closing one leaves the reply running. */
  held(): Held[] {
    // A socket closed for its credential has had what came before.
    this.sendWaiting();
    const out: Held[] = [];
    for (const ws of this.sockets()) {
      out.push({
        owner: this.participantOf(ws).owner,
        close: (code, reason) => closeSocket(ws, code, reason),
        reown: (owner) => {
          const p = { ...this.participantOf(ws), owner };
          ws.serializeAttachment(p);
          this.participants.set(ws, p);
        },
      });
    }
    for (const c of this.sse)
      out.push({
        owner: c.owner,
        close: (code, reason) => this.close(c, code, reason),
        reown: (owner) => {
          c.owner = owner;
        },
      });
    return out;
  }

  /**
   * Ends an SSE stream saying why: a `closed` event, or in the UI protocol (which has no such
   * event) an `error` chunk.
   */
  private close(c: SseClient, code: StreamCloseCode, reason: string) {
    this.sse.delete(c);
    this.write(
      c,
      c.ui
        ? sseBlock({ type: 'error', errorText: `Stream closed: ${reason}` })
        : sseBlock({ code, reason }, undefined, 'closed'),
    );
    this.end(c);
  }

  /**
   * Says that events after the client's position are no longer held (as run and agent streams
   * do): a `gap` event, or in the UI protocol, which has none, an error chunk.
   */
  private writeGap(c: SseClient, { after, gap }: Replay) {
    if (!gap) return;
    if (!c.ui) return this.write(c, sseBlock({ after, ...gap }, undefined, 'gap'));
    const errorText = `${gap.dropped} position(s) after ${after} are no longer held; the stored message has the reply's text`;
    this.write(c, sseBlock({ type: 'error', errorText }));
  }

  private writeEvent(c: SseClient, e: SessionEvent) {
    if (c.replyId === null) return this.write(c, sseBlock(e, e.seq, e.type));
    if (e.type !== 'frame') return;
    if (!c.ui) return this.write(c, sseBlock(e.frame, e.seq));
    const chunks = c.ui.chunks(e.frame);
    // The UI protocol has no ids of its own; each chunk carries its frame's, for resumption.
    this.write(c, chunks.map((chunk) => sseBlock(chunk, e.seq)).join(''));
    if (isTerminal(e.frame)) this.write(c, 'data: [DONE]\n\n');
  }

  private write(c: SseClient, text: string) {
    if ((c.writer.desiredSize ?? 0) < -MAX_SSE_BACKLOG) return this.drop(c);
    c.writer.write(encoder.encode(text)).catch(() => this.drop(c));
  }

  private drop(c: SseClient) {
    if (!this.sse.delete(c)) return;
    c.writer.abort('dropped').catch(() => {});
  }

  private end(c: SseClient) {
    c.writer.close().catch(() => {});
  }
}
