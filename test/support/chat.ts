import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { newAgent } from './agents';
import { call } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

export const chatPath = (orgId: string, rest = '') => orgPath(orgId, `/chat/sessions${rest}`);

/** A session with a fresh agent (or the one given). */
export async function newChatSession(u: TestUser, body: Record<string, unknown> = {}) {
  const agentId = (body.agent_id as string | undefined) ?? (await newAgent(u)).id;
  const res = await call(chatPath(u.orgId), { token: u.token, body: { agent_id: agentId, ...body } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; agent_id: string; title: string; multitask: string; [k: string]: unknown };
}

export interface ChatFrame {
  id?: string;
  event?: string;
  data: any;
}

/** Reads `data:` frames (with their `id:`) from a streaming response, one at a time. */
export class FrameReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private body: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(readonly response: Response) {}

  /** Locked on first read, so a test may hand the body to another reader instead. */
  private get reader() {
    this.body ??= this.response.body!.getReader();
    return this.body;
  }

  /** The next frame, or null when the stream has ended. */
  async next(): Promise<ChatFrame | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const frame: Partial<ChatFrame> = {};
        for (const line of block.split('\n')) {
          const at = line.indexOf(': ');
          if (line.startsWith(':') || at < 0) continue;
          const [field, value] = [line.slice(0, at), line.slice(at + 2)];
          if (field === 'id') frame.id = value;
          if (field === 'event') frame.event = value;
          if (field === 'data') frame.data = value === '[DONE]' ? value : JSON.parse(value);
        }
        if ('data' in frame) return frame as ChatFrame;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** Every frame up to the end of the stream. */
  async rest(): Promise<ChatFrame[]> {
    const out: ChatFrame[] = [];
    for (let f = await this.next(); f; f = await this.next()) out.push(f);
    return out;
  }

  async close() {
    await this.reader.cancel();
  }
}

/** Sends a message and returns the open reply stream with the ids the response names. */
export async function sendChat(
  u: TestUser,
  sessionId: string,
  body: Record<string, unknown>,
  opts: { query?: string; orgId?: string; expectStatus?: number } = {},
) {
  const res = await SELF.fetch(
    `https://foreman.test${chatPath(opts.orgId ?? u.orgId, `/${sessionId}/messages${opts.query ?? ''}`)}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    },
  );
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(opts.expectStatus ?? 200);
  return {
    res,
    messageId: res.headers.get('X-Message-Id')!,
    replyId: res.headers.get('X-Reply-Id')!,
    frames: new FrameReader(res),
  };
}

/** Sends a message and reads its whole reply. */
export async function chat(
  u: TestUser,
  sessionId: string,
  content: string,
  extra: Record<string, unknown> = {},
) {
  const sent = await sendChat(u, sessionId, { content, ...extra });
  return { ...sent, all: await sent.frames.rest() };
}

export const textOf = (frames: ChatFrame[]) =>
  frames.map((f) => (typeof f.data === 'object' && 'content' in f.data ? f.data.content : '')).join('');

/** Opens a reply's stream again (resuming after `after` when given, via Last-Event-ID). */
export async function resumeReply(
  u: TestUser,
  sessionId: string,
  messageId: string,
  lastEventId?: string,
  query = '',
) {
  const res = await SELF.fetch(
    `https://foreman.test${chatPath(u.orgId, `/${sessionId}/messages/${messageId}/stream${query}`)}`,
    {
      headers: {
        Authorization: `Bearer ${u.token}`,
        ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
      },
    },
  );
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
  return new FrameReader(res);
}

/** An agent whose role makes the given built-in tools wait for approval, and a session with it. */
export async function sessionWithApprovals(u: TestUser, tools: string[], body: Record<string, unknown> = {}) {
  const role = await call(orgPath(u.orgId, '/roles'), {
    token: u.token,
    body: {
      slug: `r-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Careful',
      tools_requiring_approval: tools,
    },
  });
  expect(role.status, role.text).toBe(201);
  const agent = await newAgent(u, { role_id: role.json.id });
  return newChatSession(u, { agent_id: agent.id, ...body });
}

/** Reads frames until one matches, returning everything read. */
export async function framesUntil(reader: FrameReader, done: (f: ChatFrame) => boolean) {
  const out: ChatFrame[] = [];
  for (let f = await reader.next(); f; f = await reader.next()) {
    out.push(f);
    if (done(f)) return out;
  }
  throw new Error(`The stream ended before the awaited frame: ${JSON.stringify(out.map((f) => f.data))}`);
}
