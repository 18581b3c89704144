import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';

/**
 * Frames received on a WebSocket, in order; `next()` waits for the next one. Tests wait on
 * frames, never on the clock.
 */
export class Frames {
  private readonly queue: unknown[] = [];
  private waiter: ((frame: unknown) => void) | null = null;
  closed: { code: number; reason: string } | null = null;
  private closeWaiter: (() => void) | null = null;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => {
      const frame = typeof e.data === 'string' && e.data !== 'pong' ? JSON.parse(e.data) : e.data;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(frame);
      } else this.queue.push(frame);
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.closeWaiter?.();
    });
  }

  next(): Promise<any> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** The next `event` frames' events, skipping nothing: any other frame fails the test. */
  async events(count: number) {
    const out: any[] = [];
    for (let i = 0; i < count; i++) {
      const f = await this.next();
      expect(f.op, JSON.stringify(f)).toBe('event');
      out.push(f.event);
    }
    return out;
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiter = resolve;
    });
  }

  close() {
    try {
      this.ws.close(1000, 'done');
    } catch {}
  }
}

/** Opens a WebSocket through the Worker (as a server-side client would, with a bearer token). */
export async function openSocket(path: string, token?: string) {
  const res = await SELF.fetch(`https://foreman.test${path}`, {
    headers: { Upgrade: 'websocket', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  return new Frames(ws);
}

export interface SseMessage {
  id?: string;
  event: string;
  data: any;
}

/** Reads Server-Sent Events frames from a streaming response, one at a time. */
export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader();
  }

  async next(): Promise<SseMessage> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const msg: Partial<SseMessage> & { data?: any } = {};
        for (const line of block.split('\n')) {
          const at = line.indexOf(': ');
          if (line.startsWith(':') || at < 0) continue;
          const [field, value] = [line.slice(0, at), line.slice(at + 2)];
          if (field === 'id') msg.id = value;
          if (field === 'event') msg.event = value;
          if (field === 'data') msg.data = JSON.parse(value);
        }
        if (msg.event) return msg as SseMessage;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('The event stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async close() {
    await this.reader.cancel();
  }
}

export async function openSse(path: string, token?: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`https://foreman.test${path}`, {
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
  });
  expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
  expect(res.headers.get('Content-Type')).toContain('text/event-stream');
  return new SseReader(res);
}
