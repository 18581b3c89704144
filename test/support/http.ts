import { SELF } from 'cloudflare:test';
import { expect, onTestFinished, vi } from 'vitest';

let seq = 0;
/** A distinct value per call, so tests never collide on unique columns. */
export const unique = (label = 'x') =>
  `${label}${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Each test comes from its own address, so per-IP rate limits never couple tests. */
const testIp = () => `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq++ & 255}`;

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

export async function call(path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { 'CF-Connecting-IP': opts.ip ?? testIp(), ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await SELF.fetch(`https://foreman.test${path}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/**
 * For a test that provokes a failure on purpose: the code's console.error lines (one JSON object
 * each, for operators) are kept out of the test output and handed to the test to assert on.
 */
export function captureErrorLog(): () => Record<string, unknown>[] {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)));
}

/** Expects an RFC 9457 problem with this status, and returns it. */
export function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('Content-Type')).toContain('application/problem+json');
  expect(res.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(res.json.request_id).toBe(res.headers.get('X-Request-Id'));
  return res.json;
}
