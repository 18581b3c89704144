import { type ChatMessage, isTerminal, PARTICIPANT_HEADER } from '../../src/domain/chat/protocol';
import type { Fanout, Participant } from './fanout';
import type { SessionStore } from './store';

/** A reply in these states may still get frames. */
const LIVE_STATUSES = new Set<ChatMessage['status']>(['queued', 'streaming', 'awaiting_approval']);

interface StreamRequest {
  request: Request;
  url: URL;
  owner: Participant['owner'];
  /** False for a refused stream: it opens with nothing replayed, and closes at once. */
  replays: boolean;
}

/**
 * Opens a live stream: `/stream` (WebSocket or SSE) or `/replies/{id}/stream` (SSE), replaying
 * from `?after=`. Synchronous, so no frame slips by between the replay and the live frames.
 */
export function openStream(
  store: SessionStore,
  fanout: Fanout,
  { request, url, owner, replays }: StreamRequest,
) {
  const afterParam = url.searchParams.get('after');
  const after = afterParam === null || !replays ? null : Number(afterParam);
  const replyPath = /^\/replies\/([^/]+)\/stream$/.exec(url.pathname);
  if (replyPath) {
    const replyId = replyPath[1]!;
    const status = store.replyStatus(replyId);
    if (!status) return new Response('No such reply', { status: 404 });
    const replay = replays ? store.log.replyAfter(replyId, after ?? 0) : null;
    // Its status too: a finished reply's last frame may have been trimmed from the log. A refused
    // stream stays open for its `closed` event.
    const finished =
      replays &&
      (!LIVE_STATUSES.has(status) || !!replay?.events.some((e) => e.type === 'frame' && isTerminal(e.frame)));
    return fanout.openSse(replyId, replay, url.searchParams.get('protocol') === 'ui', finished, owner);
  }
  const actorId = request.headers.get(PARTICIPANT_HEADER);
  if (url.pathname !== '/stream' || !actorId) return new Response('Not found', { status: 404 });
  const replay = after === null ? null : store.log.after(after);
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
    return fanout.openSse(null, replay, false, false, owner);
  const hello = { op: 'ready', latest_seq: store.log.lastSeq, online: [...fanout.online(), actorId] };
  return fanout.accept({ actorId, owner }, hello, replay);
}

/**
 * A stream's response given now, while `opening` (the stream as it will open) is awaited: it then
 * carries what that stream does, from its start. A client gone away cancels the copy; a stream
 * that failed to open ends this one with the error.
 */
export function answeredWhileOpening(
  opening: Promise<Response>,
  headers: Record<string, string>,
  waitUntil: (work: Promise<unknown>) => void,
) {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  waitUntil(
    opening.then((res) => res.body!.pipeTo(writable)).catch((err) => writable.abort(err).catch(() => {})),
  );
  return new Response(readable, { headers });
}

/** What a participant's socket may say: it is typing, or it wants what it missed after a position. */
export function answerSocket(
  store: SessionStore,
  fanout: Fanout,
  ws: WebSocket,
  message: string | ArrayBuffer,
) {
  const p: Participant = fanout.participantOf(ws);
  let frame: { op?: unknown; after?: unknown };
  try {
    frame = typeof message === 'string' ? JSON.parse(message) : {};
  } catch {
    frame = {};
  }
  if (frame.op === 'typing') return fanout.presence({ user_id: p.actorId, state: 'typing' }, ws);
  if (frame.op === 'resume' && Number.isInteger(frame.after) && (frame.after as number) >= 0) {
    return fanout.replayTo(ws, store.log.after(frame.after as number));
  }
  ws.send(
    JSON.stringify({ op: 'error', detail: 'Send {"op":"typing"}, {"op":"resume","after":<seq>} or ping' }),
  );
}
