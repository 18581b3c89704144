import { DurableObject } from 'cloudflare:workers';
import type { Revocation, RevocationTarget, StreamOwner } from '../src/domain/streams/owners';
import {
  ALL_CHANNELS,
  type ReadResult,
  type StreamEvent,
  type StreamFilter,
} from '../src/domain/streams/protocol';
import type { Env } from '../src/env';
import { Credentials, type OrgRegistration, ownerOf } from './streams/credentials';
import { type AppendInput, EventLog } from './streams/event-log';
import { closeBack, closeSocket } from './streams/sockets';
import { Subscribers } from './streams/subscribers';

/**
 * A bounded, replayable event stream in SQLite storage with live subscribers: the common part of
 * an agent's hub, an organization's stream and a pipeline run's log. The log (`EventLog`) keeps
 * the last `capacity` events under sequence numbers that only grow; the subscribers
 * (`Subscribers`, WebSocket and SSE) get them live; every subscription is kept with its owner, the
 * credential it was opened with, so a revocation (`revoke`) or the credential's end (the alarm)
 * closes it with a code and reason (`Credentials`).
 */
export abstract class EventStream extends DurableObject<Env> {
  protected abstract readonly capacity: number;
  private readonly log: EventLog;
  private readonly subscribers: Subscribers;
  private readonly credentials: Credentials;
  /** Set by a stream whose subscriptions the organization's stream admits and passes revocations to. */
  protected registration: OrgRegistration | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The subclass's `capacity` is not set yet; the log reads it on each write and read.
    this.log = new EventLog(ctx.storage, () => this.capacity);
    this.subscribers = new Subscribers(ctx, this.log);
    this.credentials = new Credentials(
      () => this.subscribers.held(),
      (at) => this.alarmBy(at),
    );
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  protected get lastSeq() {
    return this.log.lastSeq;
  }

  protected getMeta(key: string): SqlStorageValue | undefined {
    return this.log.getMeta(key);
  }

  protected setMeta(key: string, value: SqlStorageValue) {
    this.log.setMeta(key, value);
  }

  /** Stores events under the next sequence numbers, trims the buffer, and delivers them live. */
  protected append(items: AppendInput[], alsoInTransaction?: () => void): StreamEvent[] {
    const events = this.log.append(items, alsoInTransaction);
    this.subscribers.deliver(events);
    return events;
  }

  /** Events after `after` that match `filter`, in order, at most `limit`, saying what was dropped. */
  protected readAfter(after: number, limit: number, filter: StreamFilter): ReadResult {
    return this.log.readAfter(after, limit, filter);
  }

  /** The RPC for cursor reads. */
  async read(after: number, limit: number, filter: StreamFilter): Promise<ReadResult> {
    return this.readAfter(after, limit, filter);
  }

  /**
   * Whether a credential may still open a subscription here: null, or the revocation that already
   * ended it (one recorded after the Worker checked it, which the Worker could not have seen).
   * The organization's stream decides, and learns that this stream has subscribers.
   */
  protected async admit(owner: StreamOwner): Promise<Revocation | null> {
    return (await this.registration?.admit(owner)) ?? null;
  }

  /** Only live subscriptions come through fetch; the Worker has authenticated them. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const list = (name: string) => url.searchParams.get(name)?.split(',').filter(Boolean) ?? null;
    const filter: StreamFilter = { channels: list('channels') ?? ALL_CHANNELS, agents: list('agents') };
    const owner = ownerOf(request);
    if (!owner) return new Response('A subscription needs its owner', { status: 400 });
    // The Worker has already chosen between `?after=` and `Last-Event-ID`.
    const resumeFrom = url.searchParams.get('after');
    const after = resumeFrom === null ? null : Number(resumeFrom);
    const refused = this.credentials.refusal(owner, await this.admit(owner));
    const sub = { filter, owner };
    const res =
      request.headers.get('Upgrade')?.toLowerCase() === 'websocket'
        ? this.subscribers.acceptSocket(sub, refused ? null : after)
        : this.subscribers.openEventStream(sub, refused ? null : after);
    // Refused after the upgrade rather than before, so the client learns why the same way either way.
    await this.credentials.opened(owner, refused);
    return res;
  }

  /**
   * Closes the subscriptions a revocation names, among those opened with a credential checked
   * before the revocation was made (`at`); returns how many subscriptions remain open.
   */
  async revoke(revocation: Revocation, at: number): Promise<number> {
    return (
      this.registration?.revoke(this.credentials, revocation, at) ?? this.credentials.revoke(revocation, at)
    );
  }

  /** Brings the end of the subscriptions the target names forward to `endsAt` (see `Credentials`). */
  async endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number> {
    return this.noteOpen(await this.credentials.endBy(target, endsAt, at));
  }

  private noteOpen(open: number) {
    return this.registration?.noteOpen(open) ?? open;
  }

  /** Sets the alarm for `at` unless it is already due sooner. */
  protected async alarmBy(at: number) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Closes subscriptions whose credential has run out, and wakes again at the next such end. */
  override async alarm() {
    await this.credentials.expire();
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    this.subscribers.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string) {
    closeBack(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket) {
    closeSocket(ws, 1011, 'error');
  }

  /** Ends every subscription and forgets everything, for a stream whose subject is gone. */
  protected closeAndErase(reason: string) {
    this.subscribers.closeAll(reason);
    this.log.clear();
  }
}
