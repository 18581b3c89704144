import { expect } from 'vitest';
import { call } from './http';
import { type Frames, openSocket, openSse, type SseReader } from './streams';
import { PASSWORD, type TestUser } from './users';

/** Helpers for proving that live streams end with the credential they were opened with. */

/** Another session of the same user. */
export async function signIn(u: TestUser): Promise<TestUser> {
  const res = await call('/api/v1/auth/login', { body: { email: u.email, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return {
    ...u,
    token: res.json.access_token,
    refreshToken: res.json.refresh_token,
    sessionId: res.json.session_id,
  };
}

/** A WebSocket whose first frame is `ready`. */
export async function readySocket(path: string, token?: string) {
  const ws = await openSocket(path, token);
  expect((await ws.next()).op).toBe('ready');
  return ws;
}

/** An SSE stream whose first event is `ready`. */
export async function readySse(path: string, token?: string) {
  const s = await openSse(path, token);
  expect((await s.next()).event).toBe('ready');
  return s;
}

export async function expectClosed(ws: Frames, code: number, reason: string) {
  await ws.whenClosed();
  expect(ws.closed).toEqual({ code, reason });
}

/** The stream's last event says why it ended, and then the stream ends. */
export async function expectSseClosed(s: SseReader, code: number, reason: string) {
  for (;;) {
    const m = await s.next();
    if (m.event !== 'closed') continue;
    expect(m.data).toEqual({ code, reason });
    break;
  }
  await expect(s.next()).rejects.toThrow('The event stream ended');
}

export const sessionEnded = (why: string) => `session ended: ${why}`;
