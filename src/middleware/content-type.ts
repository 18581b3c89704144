import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';

const ACCEPTED = ['application/json', 'multipart/form-data'];

/** A body the API cannot read is refused up front with 415, never half-parsed. */
export const requireReadableBody = createMiddleware<AppEnv>(async (c, next) => {
  const hasBody = c.req.header('Content-Length') !== undefined && c.req.header('Content-Length') !== '0';
  if (hasBody || c.req.header('Transfer-Encoding')) {
    const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (!type || !ACCEPTED.some((a) => type === a || (a === 'application/json' && type.endsWith('+json'))))
      throw new ApiError(
        'unsupported_media_type',
        `Send the body as application/json (got ${type ?? 'no Content-Type'})`,
      );
  }
  return next();
});
