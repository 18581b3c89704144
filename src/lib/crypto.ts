import { toBase64Url, toHex, utf8 } from './encoding';

/** A random, URL-safe secret with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 in hex: for high-entropy secrets (tokens, API keys), where a slow KDF adds nothing. */
export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', utf8.encode(value)));
}

/** Constant-time comparison of two strings of possibly different length. */
export function timingSafeEqual(a: string, b: string): boolean {
  const ab = utf8.encode(a);
  const bb = utf8.encode(b);
  if (ab.byteLength !== bb.byteLength) {
    crypto.subtle.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.subtle.timingSafeEqual(ab, bb);
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 in hex: a fingerprint of data that may hold secrets, useless without the server key. */
export async function hmacSha256Hex(secret: string, value: string): Promise<string> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', utf8.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    hmacKeys.set(secret, key);
  }
  return toHex(await crypto.subtle.sign('HMAC', await key, utf8.encode(value)));
}
