import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';

/** How much of a refused streamed body is read and dropped; Cloudflare itself refuses more on most plans. */
const MAX_DRAIN_BYTES = 100 * 1024 * 1024;

/**
 * Refuses a body larger than `maxBytes` with 413: one of declared length by its header, a streamed
 * (chunked) one once it has sent that much. Unlike hono's bodyLimit, a refused stream is read to its
 * end before answering: the runtime holds on to a chunked request whose body was left half-read, and
 * the server's next request stalled behind it for minutes (cancelling the stream does not help).
 */
export const bodyLimit = (maxBytes: number) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    // Made only when thrown: an error captures its stack, a cost every request with a body paid.
    const tooLarge = () => new ApiError('payload_too_large', `The body must be at most ${maxBytes} bytes`);
    const declared = c.req.header('Content-Length');
    if (declared !== undefined && !c.req.header('Transfer-Encoding')) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        await drain(reader, MAX_DRAIN_BYTES - size);
        throw tooLarge();
      }
      chunks.push(r.value);
    }
    const whole = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  });

/** Reads and drops the rest of a stream, up to `budget` bytes; a longer one is cancelled. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number) {
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    budget -= r.value.byteLength;
    if (budget < 0) return reader.cancel();
  }
}
