import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { ApiError, type ProblemKind, problemType } from './errors';
import type { Problem } from './problem';

const kindForStatus: Record<number, ProblemKind> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Hono's own errors (malformed JSON, body limit) become the same problems as ours. */
function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const kind = kindForStatus[err.status] ?? 'bad_request';
    const detail =
      err.status === 400 && /json/i.test(err.message) ? 'The body is not valid JSON' : err.message;
    return new ApiError(kind, detail || undefined);
  }
  return new ApiError('internal', 'Something went wrong; quote the request id when reporting it');
}

export function problemResponse(c: Context<AppEnv>, err: unknown): Response {
  const e = asApiError(err);
  if (e.status >= 500) {
    // Query errors carry their bound parameters (hashes, ciphertext): log only what precedes them.
    const message = String(err)
      .split(/\bparams:/)[0]!
      .slice(0, 500);
    console.error(JSON.stringify({ request_id: c.var.requestId, error: message }));
  }
  const body: Problem = {
    type: problemType(e.kind, new URL(c.req.url).origin),
    title: e.title,
    status: e.status,
    detail: e.message,
    instance: c.req.path,
    request_id: c.var.requestId,
    ...(e.errors ? { errors: e.errors } : {}),
    ...e.extensions,
  };
  return new Response(JSON.stringify(body), {
    status: e.status,
    headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': c.var.requestId, ...e.headers },
  });
}
