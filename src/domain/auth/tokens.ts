import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Env } from '../../env';
import { utf8 } from '../../lib/encoding';
import { unauthenticated } from '../../lib/errors';

/** Each kind of JWT is checked for its own `typ`, so one kind can never pass for another. */
export type TokenKind = 'access' | 'ws_ticket';

export const ACCESS_TTL_SECONDS = 15 * 60;
const ALG = 'HS256';

interface KeySet {
  signing: { kid: string; key: Uint8Array };
  byKid: Map<string, Uint8Array>;
  /**
   * Tokens these keys verified, by their text. A signature check has one answer for one text, so a
   * token seen again needs only its expiry checked: busy clients skip the HMAC and claim parsing.
   */
  verified: Map<string, JWTPayload & { sub: string; exp: number }>;
}

const MAX_VERIFIED = 10_000;

const keyCache = new Map<string, KeySet>();

/** Every key signs or verifies; a short one in the set would be the weakest link. */
const MIN_SECRET_LENGTH = 32;

/**
 * `JWT_SECRET` holds `kid:secret` pairs; the first signs and every one verifies, so keys can rotate.
 * Each secret must be at least 32 characters: a short or empty one (e.g. from a trailing comma)
 * would let anyone who guesses it mint tokens under its kid.
 */
function keys(env: Env): KeySet {
  const cached = keyCache.get(env.JWT_SECRET);
  if (cached) return cached;
  const pairs = env.JWT_SECRET.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, i) => {
      const at = entry.indexOf(':');
      return at > 0 ? [entry.slice(0, at).trim(), entry.slice(at + 1).trim()] : [`k${i + 1}`, entry];
    }) as [string, string][];
  if (pairs.length === 0) throw new Error('JWT_SECRET is empty');
  const byKid = new Map<string, Uint8Array>();
  for (const [kid, secret] of pairs) {
    if (secret.length < MIN_SECRET_LENGTH)
      throw new Error(`JWT_SECRET key "${kid}" must be at least ${MIN_SECRET_LENGTH} characters`);
    if (byKid.has(kid)) throw new Error(`JWT_SECRET names kid "${kid}" twice`);
    byKid.set(kid, utf8.encode(secret));
  }
  const [kid] = pairs[0]!;
  const set = { signing: { kid, key: byKid.get(kid)! }, byKid, verified: new Map() };
  keyCache.set(env.JWT_SECRET, set);
  return set;
}

/** The raw secrets, the signing one first: other server keys (e.g. for cursors) are derived from them. */
export function serverSecrets(env: Env): Uint8Array[] {
  const { signing, byKid } = keys(env);
  return [signing.key, ...[...byKid.values()].filter((k) => k !== signing.key)];
}

const cryptoKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/** Imported once per secret and isolate; jose would otherwise import the raw secret on every call. */
function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  let key = cryptoKeys.get(raw);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      raw as Uint8Array<ArrayBuffer>,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    cryptoKeys.set(raw, key);
  }
  return key;
}

export async function signToken(
  env: Env,
  kind: TokenKind,
  subject: string,
  claims: Record<string, unknown>,
  ttlSeconds: number,
): Promise<string> {
  const { signing } = keys(env);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, typ: kind })
    .setProtectedHeader({ alg: ALG, kid: signing.kid, typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(await hmacKey(signing.key));
}

export async function verifyToken(env: Env, kind: TokenKind, token: string) {
  const { byKid, verified } = keys(env);
  let payload = verified.get(token);
  // Expired as jose decides it: at or after `exp`, in whole seconds.
  if (payload && payload.exp <= Math.floor(Date.now() / 1000)) {
    verified.delete(token);
    payload = undefined;
  }
  if (!payload) {
    payload = await verifySignature(byKid, env, token);
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
    verified.set(token, payload);
  }
  if (payload.typ !== kind) throw unauthenticated(`Expected a ${kind} token`);
  return payload;
}

async function verifySignature(byKid: Map<string, Uint8Array>, env: Env, token: string) {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? byKid.get(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return hmacKey(key);
      },
      {
        algorithms: [ALG],
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat', 'typ'],
        currentDate: new Date(),
      },
    );
    return payload as typeof payload & { sub: string; exp: number };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw unauthenticated('The token has expired');
    if (err instanceof errors.JOSEError) throw unauthenticated('The token is invalid');
    throw err;
  }
}
