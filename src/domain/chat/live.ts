import { conflict, notFound } from '../../lib/errors';
import { activityInsert } from '../activity/record';
import type { OrgCtx } from '../context';
import { ownerHeader, type StreamOwner } from '../streams/owners';
import { replyStreamUrl } from './session-rpc';
import { getSession, sessionObject } from './sessions';

export interface ReplyStreamOptions {
  /** Frames after this position; 0 for all. */
  after: number;
  /** In the Vercel AI SDK UI message stream protocol, not Foreman's frames. */
  ui: boolean;
  /** The credential holding it open: it closes when that ends (the reply goes on). */
  owner: StreamOwner;
}

/** A reply's frames as Server-Sent Events, replayed from a position, then live until it ends. */
export const replyStream = (ctx: OrgCtx, sessionId: string, replyId: string, o: ReplyStreamOptions) =>
  sessionObject(ctx, sessionId).fetch(replyStreamUrl(replyId, o.after, o.ui), {
    headers: ownerHeader(o.owner),
  });

/** Stops the reply in progress; 409 when none is running. */
export async function cancelReply(ctx: OrgCtx, sessionId: string) {
  await getSession(ctx, sessionId);
  const stopped = await sessionObject(ctx, sessionId).cancel();
  if (!stopped) throw conflict('No reply is running in this session');
  return stopped;
}

/** Approves or rejects a tool call a reply waits on; the reply then goes on. */
export async function answerApproval(
  ctx: OrgCtx,
  sessionId: string,
  approvalId: string,
  approve: boolean,
  reason: string | null,
) {
  await getSession(ctx, sessionId);
  const answer = await sessionObject(ctx, sessionId).answerApproval(approvalId, approve, reason);
  if (!answer.ok) {
    if (answer.reason === 'not_found') throw notFound('Approval');
    throw conflict('This approval was already answered, withdrawn or has expired');
  }
  await activityInsert(ctx, {
    orgId: ctx.orgId,
    action: 'chat_approval.answered',
    entityType: 'chat_session',
    entityId: sessionId,
    metadata: {
      approval_id: approvalId,
      tool: answer.approval.tool,
      decision: answer.approval.status,
      reason,
    },
  });
  return answer.approval;
}
