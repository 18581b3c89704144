import { DurableObject } from 'cloudflare:workers';
import type { ReplyErrorKind } from '../src/domain/chat/protocol';
import {
  type ApprovalAnswer,
  replyStreamUrl,
  type SendInput,
  type SendKey,
  type SendOutcome,
  type SendRequest,
  sendHeaders,
} from '../src/domain/chat/session-rpc';
import type { Revocation, RevocationTarget, StreamOwner } from '../src/domain/streams/owners';
import type { Env } from '../src/env';
import { Fanout, sseHeaders } from './chat-session/fanout';
import { logError } from './chat-session/log';
import { type ReplyHost, ReplyRun } from './chat-session/reply';
import { SentKeys } from './chat-session/sent-keys';
import { SessionStore } from './chat-session/store';
import { answeredWhileOpening, answerSocket, openStream } from './chat-session/streams';
import { Credentials, OrgRegistration, ownerOf } from './streams/credentials';

/**
 * One chat session: its messages, the reply being streamed (frames stored under growing sequence
 * numbers, so any client resumes by position) and every connected client. The reply runs here, not
 * in the request that sent the message, so it finishes and is stored even if that client goes.
 * Replies run one at a time; a message sent meanwhile follows the multitask policy.
 * Every connection is kept with the credential it was opened with, and closes when that is revoked
 * or runs out, as an event stream's subscriptions do; a reply goes on when its stream closes.
 */
export class ChatSession extends DurableObject<Env> {
  private readonly store: SessionStore;
  private readonly fanout: Fanout;
  private readonly keys: SentKeys;
  private readonly host: ReplyHost;
  private run: ReplyRun | null = null;
  private readonly credentials: Credentials;
  private readonly registration: OrgRegistration;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new SessionStore(ctx.storage);
    this.fanout = new Fanout(ctx);
    this.keys = new SentKeys(ctx.storage.sql, (id) => this.store.message(id));
    this.credentials = new Credentials(
      () => this.fanout.held(),
      (at) => this.alarmBy(at),
    );
    this.registration = new OrgRegistration(env, 'chat_session', ctx.id);
    this.host = {
      env,
      store: this.store,
      // Sent first, written with the next flush: a frame never waits for its own write.
      emit: (replyId, frame) => this.fanout.deliver(this.store.frame(replyId, frame)),
      alarmBy: (at) => this.alarmBy(at),
      // Started at once: a reply runs apart from any response, and the object's input gate then
      // covers the work's first storage call (an alarm set after an erase would outlive it).
      defer: (work) => this.ctx.waitUntil(work().catch((err) => logError('chat work', err))),
    };
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.recover();
  }

  /**
   * A reply marked as streaming with no run in this instance was cut off by the object restarting:
   * it ends with an error saying so (its text kept), and the next queued reply starts.
   */
  private recover() {
    const active = this.store.activeReply();
    if (active?.status !== 'streaming') return;
    this.stop(
      active.id,
      'restarted',
      'The reply was cut off when the session restarted; send the message again',
    );
    this.startNext();
  }

  /** What an earlier send with this key became (see `SentKeys.prior`). */
  async sentWith(key: SendKey): Promise<SendOutcome | null> {
    return this.keys.prior(key);
  }

  private send(input: SendInput): SendOutcome {
    // Checked again here, not only by the Worker first: two retries may race to this point.
    const prior = input.idempotency ? this.keys.prior(input.idempotency) : null;
    if (prior) return prior;
    const active = this.store.activeReply();
    if (active && input.policy === 'reject') return { ok: false, running: active.id };
    if (active && input.policy === 'interrupt')
      this.stop(active.id, 'interrupted', `Interrupted by a newer message (${input.messageId})`);
    const queued = active !== null && input.policy === 'enqueue';
    const { message, reply, event } = this.store.insertExchange(input, queued);
    if (event) this.fanout.deliver(event);
    if (input.idempotency)
      this.keys.remember({
        ...input.idempotency,
        message_id: message.id,
        reply_id: reply.id,
        created_at: Date.now(),
      });
    if (!queued) this.start(reply.id);
    return { ok: true, message, reply, queued, replayed: false };
  }

  private start(replyId: string) {
    this.store.setStatus(replyId, 'streaming');
    const run = new ReplyRun(this.host, replyId);
    this.run = run;
    // Once the send has stored all it stores (a microtask on): the reply's first model call waits
    // on I/O, and the send is answered meanwhile. Its sender's stream replays what came before.
    Promise.resolve()
      .then(() => (run.aborted ? ('ended' as const) : run.drive()))
      .catch((err) => {
        logError('chat reply', err);
        if (!run.aborted)
          return run.fail('provider', 'The reply failed unexpectedly; the session is still usable');
        return 'ended' as const;
      })
      .then((outcome) => {
        if (this.run !== run) return;
        this.run = null;
        if (outcome === 'ended') this.startNext();
      });
  }

  private startNext() {
    if (this.run || this.store.activeReply()) return;
    const next = this.store.nextQueued();
    if (next) this.start(next.id);
  }

  /** Ends a reply now with an error frame; its text so far is kept, its open approvals withdrawn. */
  private stop(replyId: string, kind: ReplyErrorKind, message: string) {
    if (this.run?.replyId === replyId) {
      this.run.controller.abort();
      this.run = null;
    }
    for (const a of this.store.approvals.pending(replyId))
      this.store.approvals.answer(a.id, 'cancelled', message);
    new ReplyRun(this.host, replyId).fail(kind, message);
  }

  /** Stops the reply in progress; queued replies then run. Returns the stopped reply's id, or null. */
  async cancel(): Promise<string | null> {
    const active = this.store.activeReply();
    if (!active) return null;
    this.stop(active.id, 'cancelled', 'The reply was cancelled');
    this.startNext();
    return active.id;
  }

  async answerApproval(id: string, approve: boolean, reason: string | null): Promise<ApprovalAnswer> {
    const row = this.store.approvals.get(id);
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.status !== 'pending' || row.expires_at <= Date.now()) {
      if (row.status === 'pending') this.expireApprovals(Date.now());
      return { ok: false, reason: 'answered' };
    }
    const status = approve ? 'approved' : 'rejected';
    this.store.approvals.answer(id, status, reason);
    this.resume(row.reply_id);
    return { ok: true, approval: { id, tool: row.tool, status, reply_id: row.reply_id } };
  }

  /** Unanswered approvals past their time count as refused; their replies go on without the tool. */
  async expireApprovals(now: number): Promise<number> {
    const due = this.store.approvals.pending().filter((a) => a.expires_at <= now);
    for (const a of due) {
      this.store.approvals.answer(a.id, 'expired', null);
      this.resume(a.reply_id);
    }
    const next = this.store.approvals.pending()[0];
    if (next) await this.alarmBy(next.expires_at);
    return due.length;
  }

  private resume(replyId: string) {
    if (this.run || this.store.approvals.pending(replyId).length > 0) return;
    if (this.store.message(replyId)?.status !== 'awaiting_approval') return;
    this.start(replyId);
  }

  override async alarm() {
    await this.expireApprovals(Date.now());
    await this.credentials.expire();
  }

  private async alarmBy(at: number) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async messages(opts: { after?: number; before?: number; limit: number }) {
    return this.store.messages(opts);
  }

  async message(id: string) {
    return this.store.message(id);
  }

  /** Deletes one message (a running reply is stopped first); false if there was none. */
  async deleteMessage(id: string): Promise<boolean> {
    if (this.store.activeReply()?.id === id) this.stop(id, 'cancelled', 'The reply was deleted');
    const event = this.store.deleteMessage(id);
    if (!event) return false;
    this.fanout.deliver(event);
    this.startNext();
    return true;
  }

  /** Forgets everything, for a deleted session: clients are closed and storage erased. */
  async erase() {
    this.run?.controller.abort();
    this.run = null;
    this.store.log.discard();
    this.fanout.closeAll('session deleted');
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.reset();
    this.keys.ensure();
  }

  /**
   * Live streams, each opened by the Worker with its owner: `/stream` (WebSocket or SSE),
   * `/replies/{id}/stream` (SSE), and `/send`, which stores a message and answers with its
   * sender's stream of the reply (one call, where a send and then a stream would be two). A
   * refused stream opens (with nothing replayed) and closes at once.
   */
  override async fetch(request: Request): Promise<Response> {
    const owner = ownerOf(request);
    if (!owner) return new Response('A stream needs its owner', { status: 400 });
    const url = new URL(request.url);
    if (url.pathname === '/send') return this.sendAndStream(request, owner, await request.json());
    return this.open(request, url, owner);
  }

  /**
   * The send is answered at once, while the sender's stream is admitted (see `open`); the stream
   * then carries what it would have had it opened first: the reply's frames from the start, or,
   * refused, nothing before it closes. The reply started meanwhile.
   */
  private sendAndStream(request: Request, owner: StreamOwner, { input, ui }: SendRequest) {
    const outcome = this.send(input);
    if (!outcome.ok) return Response.json(outcome, { status: 409 });
    const url = new URL(replyStreamUrl(outcome.reply.id, 0, ui));
    return answeredWhileOpening(
      this.open(request, url, owner),
      { ...sseHeaders(ui), ...sendHeaders(outcome) },
      (work) => this.ctx.waitUntil(work),
    );
  }

  /** A live stream, once the organization's stream has said its credential was not revoked. */
  private async open(request: Request, url: URL, owner: StreamOwner) {
    const refused = this.credentials.refusal(owner, await this.registration.admit(owner));
    const res = openStream(this.store, this.fanout, { request, url, owner, replays: !refused });
    await this.credentials.opened(owner, refused);
    return res;
  }

  /** Closes the connections a revocation names (see `Credentials`); returns how many remain open. */
  async revoke(revocation: Revocation, at: number): Promise<number> {
    return this.registration.revoke(this.credentials, revocation, at);
  }

  /** Brings the end of the connections the target names forward to `endsAt` (see `Credentials`). */
  async endBy(target: RevocationTarget, endsAt: number, at: number): Promise<number> {
    return this.registration.noteOpen(await this.credentials.endBy(target, endsAt, at));
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    answerSocket(this.store, this.fanout, ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string) {
    this.fanout.presence({ user_id: this.fanout.participantOf(ws).actorId, state: 'leave' }, ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(ws: WebSocket) {
    try {
      ws.close(1011, 'error');
    } catch {}
  }
}
