import { readTogether } from '../../db/reads';
import type { MultitaskPolicy } from '../../db/schema';
import { ApiError, conflict } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { roleInstructions } from '../agent-design/skills';
import { relayed } from '../agents/events';
import type { OrgCtx } from '../context';
import { agentModels, modelCandidates, resolveModel, routingOf } from '../models/resolve';
import { ownerHeader } from '../streams/owners';
import { offerOf, toolsOf } from '../tools';
import { resolveAttachments } from './attachments';
import {
  APPROVAL_TTL_MS,
  DEFAULT_CONTEXT_TOKENS,
  estimateTokens,
  MAX_STEPS,
  type ReplyRequest,
} from './context';
import { type ReplyStreamOptions, replyStream } from './live';
import { sendReads, systemPrompt } from './prompt';
import { SEND_URL, type SendInput, type SendOutcome, type SendRequest, sendHeaders } from './session-rpc';
import { sessionObject, touchSession } from './sessions';

export interface SendMessageInput {
  content: string;
  attachments: string[];
  /** Overrides the session's policy for this message. */
  multitask?: MultitaskPolicy;
  model?: string | null;
  maxSteps?: number;
  /** The request's `Idempotency-Key` and a fingerprint of its body. */
  idempotency?: { key: string; fingerprint: string };
  /** The sender's stream of the reply: its owner and protocol (from position 0). */
  stream: Omit<ReplyStreamOptions, 'after'>;
}

/** A send the session refused: a reply still running (policy `reject`), or a key reused. */
function refused(outcome: Exclude<SendOutcome, { ok: true }>): never {
  if ('running' in outcome)
    throw conflict(
      `Reply ${outcome.running} is still running; wait, cancel it, or send with multitask enqueue or interrupt`,
    );
  throw new ApiError(
    'idempotency_mismatch',
    'This Idempotency-Key was already used to send a different message in this session',
  );
}

/**
 * Prepares a reply (its system prompt and limits, from D1) and hands the message to the session's
 * object, which stores it, runs the reply and answers with the sender's stream of it (SSE, its
 * headers naming the message and reply). A reply already running decides by the multitask policy:
 * `reject` is a 409 naming it. A retry with the same `Idempotency-Key` (per sender) stores and
 * starts nothing: it answers with the message and reply the first attempt made.
 */
export async function sendMessage(
  ctx: OrgCtx,
  sessionId: string,
  input: SendMessageInput,
): Promise<Response> {
  const object = sessionObject(ctx, sessionId);
  const idempotency = input.idempotency && {
    key: `${ctx.actor.type}:${ctx.actor.id}:${input.idempotency.key}`,
    fingerprint: input.idempotency.fingerprint,
  };
  // Its failure counts only once the send is known not to be a retry (below).
  const attaching = resolveAttachments(ctx.env, ctx.orgId, sessionId, input.attachments);
  attaching.catch(() => {});
  // One round trip reads the session and, through its row, what the reply's prompt needs (the
  // organization's routing, usually cached, alongside); then the reads that need their answer:
  // the role's skills and MCP tools, the model's registry entry (usually cached). The session's
  // object then reads nothing before the model's first token.
  const [[{ session, inputs }], routing] = await Promise.all([
    readTogether(ctx.db, [sendReads(ctx, sessionId, input.content)]),
    input.model ? undefined : routingOf(ctx.db, ctx.orgId),
  ]);
  // A retry answers as the first attempt did even if the session changed since (archived,
  // attachments removed).
  const prior = idempotency ? await object.sentWith(idempotency) : null;
  if (prior) return prior.ok ? answered(ctx, sessionId, prior, input.stream) : refused(prior);
  if (session.archived) throw conflict('The chat session is archived; unarchive it to send messages');
  const resolving = { orgId: ctx.orgId, agentId: session.agentId, model: input.model };
  const [attachments, skills, tools, resolution] = await Promise.all([
    attaching,
    inputs.role ? roleInstructions(ctx.db, ctx.orgId, inputs.role.id) : null,
    toolsOf(ctx, session.agentId, inputs.role, { chatSessionId: sessionId }).then(offerOf),
    resolveModel(
      ctx.db,
      ctx.env,
      resolving,
      routing && modelCandidates(ctx.env, {}, agentModels(inputs.agent, inputs.role), routing),
    ),
  ]);
  const system = systemPrompt(ctx, inputs, skills?.instructions ?? '');
  const contextTokens = resolution.model?.contextWindow ?? DEFAULT_CONTEXT_TOKENS;
  const historyTokens = contextTokens - estimateTokens(system) - estimateTokens(input.content);
  if (historyTokens < 0)
    throw new ApiError('validation', 'The message does not fit the model’s context window', {
      errors: [{ path: 'content', message: `Too long for a context window of ${contextTokens} tokens` }],
    });
  const request: ReplyRequest = {
    orgId: ctx.orgId,
    sessionId,
    agentId: session.agentId,
    actor: ctx.actor,
    model: input.model ?? null,
    resolvedModel: resolution.model?.id ?? null,
    system,
    tools,
    historyTokens,
    maxSteps: input.maxSteps ?? MAX_STEPS,
    approvalTtlMs: APPROVAL_TTL_MS,
  };
  const send: SendInput = {
    messageId: newId('msg'),
    replyId: newId('msg'),
    content: input.content,
    author: ctx.actor,
    attachments,
    policy: input.multitask ?? session.multitask,
    request,
    idempotency,
  };
  const res = await object.fetch(SEND_URL, {
    method: 'POST',
    headers: { ...ownerHeader(input.stream.owner), 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: send, ui: input.stream.ui } satisfies SendRequest),
  });
  if (res.status === 409) refused(await res.json<Exclude<SendOutcome, { ok: true }>>());
  if (!res.ok) throw new Error(`The chat session refused the send: ${res.status} ${await res.text()}`);
  if (res.headers.get('Idempotent-Replayed')) return res;
  const at = Date.now();
  const touch = () => touchSession(ctx, sessionId, at);
  if (ctx.defer) ctx.defer(touch);
  else await touch();
  return res;
}

/** A retry's answer: the stream of the reply the first attempt started, from the start. */
async function answered(
  ctx: OrgCtx,
  sessionId: string,
  prior: Extract<SendOutcome, { ok: true }>,
  stream: SendMessageInput['stream'],
) {
  const res = relayed(await replyStream(ctx, sessionId, prior.reply.id, { after: 0, ...stream }));
  for (const [name, value] of Object.entries(sendHeaders(prior))) res.headers.set(name, value);
  return res;
}
