import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/app';
import { call, newUser } from '../support';

/** A body sent in chunks with no Content-Length, as a streaming upload is; counts what was read. */
function chunkedBody(bytes: number, chunk = 64 * 1024) {
  const progress = { sent: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (progress.sent >= bytes) return controller.close();
      const n = Math.min(chunk, bytes - progress.sent);
      controller.enqueue(new Uint8Array(n).fill(0x61));
      progress.sent += n;
    },
  });
  return { stream, progress };
}

describe('body size limit', () => {
  it('refuses an oversized chunked body with 413, reads it to the end, and the next request answers', async () => {
    const u = await newUser();
    const body = chunkedBody(3 * MAX_BODY_BYTES);
    const res = await SELF.fetch(`https://foreman.test/api/v1/orgs/${u.orgId}/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
      body: body.stream,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      status: 413,
      detail: `The body must be at most ${MAX_BODY_BYTES} bytes`,
    });
    // A refused body left half-read made the runtime stall the server's next request (wrangler dev).
    expect(body.progress.sent).toBe(3 * MAX_BODY_BYTES);
    const next = await call(`/api/v1/orgs/${u.orgId}/projects`, { token: u.token });
    expect(next.status, next.text).toBe(200);
  });

  it('still accepts a chunked body under the limit', async () => {
    const u = await newUser();
    const json = new TextEncoder().encode(
      JSON.stringify({ name: 'streamed', description: 'x'.repeat(1000) }),
    );
    const res = await SELF.fetch(`https://foreman.test/api/v1/orgs/${u.orgId}/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(json.slice(0, 500));
          controller.enqueue(json.slice(500));
          controller.close();
        },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'streamed' });
  });
});
