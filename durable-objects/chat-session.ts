import { DurableObject } from 'cloudflare:workers';
import type { MultitaskPolicy } from '../src/db/schema/chat';
import type { ReplyRequest } from '../src/domain/chat/context';
import {
  type Attachment,
  type ChatMessage,
  isTerminal,
  PARTICIPANT_HEADER,
  type ReplyErrorKind,
} from '../src/domain/chat/protocol';
import type { Env } from '../src/env';
import type { ApprovalRow } from './chat-session/approvals';
import { Fanout, type Participant } from './chat-session/fanout';
import { type ReplyHost, ReplyRun } from './chat-session/reply';
import { SessionStore } from './chat-session/store';

export interface SendInput {
  messageId: string;
  replyId: string;
  content: string;
  author: { type: string; id: string };
  attachments: Attachment[];
  policy: MultitaskPolicy;
  request: ReplyRequest;
}

/** A reply in these states may still get frames. */
const LIVE_STATUSES = new Set<ChatMessage['status']>(['queued', 'streaming', 'awaiting_approval']);

export type SendOutcome =
  | { ok: true; message: ChatMessage; reply: ChatMessage; queued: boolean }
  | { ok: false; running: string };

export type ApprovalAnswer =
  | { ok: true; approval: { id: string; tool: string; status: ApprovalRow['status']; reply_id: string } }
  | { ok: false; reason: 'not_found' | 'answered' };

/**
 * One chat session: its messages, the reply being streamed (frames stored under growing sequence
 * numbers, so any client resumes by position) and every connected client. The reply runs here, not
 * in the request that sent the message, so it finishes and is stored even if that client goes.
 * Replies run one at a time; a message sent meanwhile follows the multitask policy.
 */
export class ChatSession extends DurableObject<Env> {
  private readonly store: SessionStore;
  private readonly fanout: Fanout;
  private readonly host: ReplyHost;
  private run: ReplyRun | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new SessionStore(ctx.storage);
    this.fanout = new Fanout(ctx);
    this.host = {
      env,
      store: this.store,
      // Sent first, written with the next flush: a frame never waits for its own write.
      emit: (replyId, frame) => this.fanout.deliver(this.store.log.frame(replyId, frame)),
      alarmBy: (at) => this.alarmBy(at),
      defer: (work) => this.ctx.waitUntil(work.catch((err) => logError('chat work', err))),
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

  async send(input: SendInput): Promise<SendOutcome> {
    const active = this.store.activeReply();
    if (active && input.policy === 'reject') return { ok: false, running: active.id };
    if (active && input.policy === 'interrupt')
      this.stop(active.id, 'interrupted', `Interrupted by a newer message (${input.messageId})`);
    const queued = active !== null && input.policy === 'enqueue';
    const { message, event } = this.store.insertMessage({
      id: input.messageId,
      role: 'user',
      content: input.content,
      author: input.author,
      status: 'complete',
      replyId: input.replyId,
      inReplyTo: null,
      attachments: input.attachments,
    });
    if (event) this.fanout.deliver(event);
    const { message: reply } = this.store.insertMessage({
      id: input.replyId,
      role: 'assistant',
      content: '',
      author: { type: 'agent', id: input.request.agentId },
      status: queued ? 'queued' : 'streaming',
      replyId: null,
      inReplyTo: input.messageId,
      attachments: [],
      request: input.request,
    });
    if (!queued) this.start(reply.id);
    return { ok: true, message, reply, queued };
  }

  private start(replyId: string) {
    this.store.setStatus(replyId, 'streaming');
    const run = new ReplyRun(this.host, replyId);
    this.run = run;
    run
      .drive()
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
  }

  /** Live streams only: `/stream` (WebSocket or SSE) and `/replies/{id}/stream` (SSE). */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const afterParam = url.searchParams.get('after');
    const after = afterParam === null ? null : Number(afterParam);
    const replyPath = /^\/replies\/([^/]+)\/stream$/.exec(url.pathname);
    if (replyPath) {
      const reply = this.store.message(replyPath[1]!);
      if (reply?.role !== 'assistant') return new Response('No such reply', { status: 404 });
      const replay = this.store.log.replyAfter(reply.id, after ?? 0);
      // Its status too: a finished reply's last frame may have been trimmed from the log.
      const finished =
        !LIVE_STATUSES.has(reply.status) ||
        replay.events.some((e) => e.type === 'frame' && isTerminal(e.frame));
      return this.fanout.openSse(reply.id, replay, url.searchParams.get('protocol') === 'ui', finished);
    }
    const actorId = request.headers.get(PARTICIPANT_HEADER);
    if (url.pathname !== '/stream' || !actorId) return new Response('Not found', { status: 404 });
    const replay = after === null ? null : this.store.log.after(after);
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
      return this.fanout.openSse(null, replay, false, false);
    const hello = {
      op: 'ready',
      latest_seq: this.store.log.lastSeq,
      online: [...this.fanout.online(), actorId],
    };
    return this.fanout.accept({ actorId }, hello, replay);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    const p: Participant = this.fanout.participantOf(ws);
    let frame: { op?: unknown; after?: unknown };
    try {
      frame = typeof message === 'string' ? JSON.parse(message) : {};
    } catch {
      frame = {};
    }
    if (frame.op === 'typing') return this.fanout.presence({ user_id: p.actorId, state: 'typing' }, ws);
    if (frame.op === 'resume' && Number.isInteger(frame.after) && (frame.after as number) >= 0) {
      return this.fanout.replayTo(ws, this.store.log.after(frame.after as number));
    }
    ws.send(
      JSON.stringify({ op: 'error', detail: 'Send {"op":"typing"}, {"op":"resume","after":<seq>} or ping' }),
    );
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

function logError(what: string, err: unknown) {
  console.error(
    JSON.stringify({ level: 'error', what, error: err instanceof Error ? err.message : String(err) }),
  );
}
