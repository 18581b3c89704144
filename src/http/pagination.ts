import { z } from '@hono/zod-openapi';
import { serverSecrets } from '../domain/auth/tokens';
import type { PageRequest } from '../domain/lookup';
import type { Env } from '../env';
import { fromBase64, fromUtf8, toBase64Url, utf8 } from '../lib/encoding';
import { ApiError } from '../lib/errors';

export const MAX_PAGE_SIZE = 100;

export const PageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({
      description: `Items per page (1–${MAX_PAGE_SIZE})`,
    }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'The `next_cursor` of the previous page, as given; any other value is 400' }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null at the end' }),
  });

/** Cursor keys, derived once per isolate and secret; the first signs, every one verifies. */
const cursorKeys = new Map<string, Promise<CryptoKey[]>>();

/**
 * An HKDF key of its own for cursors, from each `JWT_SECRET` secret: a cursor MAC says nothing about
 * the token keys, and rotating `JWT_SECRET` keeps the cursors already handed out valid.
 */
function keysFor(env: Env): Promise<CryptoKey[]> {
  let keys = cursorKeys.get(env.JWT_SECRET);
  if (!keys) {
    keys = Promise.all(
      serverSecrets(env).map(async (secret) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: utf8.encode('foreman cursor v1') },
          await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, 'HKDF', false, [
            'deriveKey',
          ]),
          { name: 'HMAC', hash: 'SHA-256', length: 256 },
          false,
          ['sign', 'verify'],
        ),
      ),
    );
    cursorKeys.set(env.JWT_SECRET, keys);
  }
  return keys;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const notIssued = () => new ApiError('bad_request', 'The cursor is not one this API issued');

/**
 * Cursors are opaque to clients; inside they are the sort key of the last item returned, with a
 * MAC, so that a cursor the API did not issue (forged or altered) is refused instead of read.
 */
export async function encodeCursor(env: Env, key: string): Promise<string> {
  const [signing] = await keysFor(env);
  const data = utf8.encode(key);
  const mac = await crypto.subtle.sign('HMAC', signing!, data);
  return `${toBase64Url(data)}.${toBase64Url(new Uint8Array(mac))}`;
}

export async function decodeCursor(env: Env, cursor: string | undefined): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  const [data, mac, extra] = cursor.split('.');
  if (!data || !mac || extra !== undefined || !BASE64URL.test(data) || !BASE64URL.test(mac))
    throw notIssued();
  const bytes = fromBase64(data);
  const signature = fromBase64(mac);
  for (const key of await keysFor(env))
    if (await crypto.subtle.verify('HMAC', key, signature, bytes)) return fromUtf8.decode(bytes);
  throw notIssued();
}

/** Rows were fetched with `limit + 1` to learn whether another page exists. */
export async function toPage<R, T>(
  env: Env,
  rows: R[],
  limit: number,
  key: (row: R) => string,
  map: (row: R) => T,
) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(map),
    next_cursor: more && last !== undefined ? await encodeCursor(env, key(last)) : null,
  };
}

/** A list answer: decodes the query's cursor, fetches the page after it and encodes the next one. */
export async function paged<R extends { id: string }, T>(
  env: Env,
  query: { limit: number; cursor?: string },
  fetch: (page: PageRequest) => Promise<R[]>,
  map: (row: R) => T,
) {
  const rows = await fetch({ limit: query.limit, after: await decodeCursor(env, query.cursor) });
  return toPage(env, rows, query.limit, (r) => r.id, map);
}
