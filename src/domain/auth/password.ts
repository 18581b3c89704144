import { argon2id } from '@noble/hashes/argon2.js';
import type { Env } from '../../env';
import { timingSafeEqual } from '../../lib/crypto';
import { fromBase64, toBase64, utf8 } from '../../lib/encoding';

interface Argon2Params {
  /** Memory in KiB. */
  m: number;
  /** Passes over the memory. */
  t: number;
  /** Lanes. */
  p: number;
}

/**
 * OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane). It fits well inside a Worker's 128 MB;
 * it costs about half a second of CPU in workerd, where PBKDF2 is capped at 100,000 iterations
 * (below OWASP's 600,000).
 */
const STANDARD: Argon2Params = { m: 19_456, t: 2, p: 1 };
/** Only for the test suite, which signs in hundreds of users; refused in production. */
const TEST: Argon2Params = { m: 64, t: 1, p: 1 };

/** The parameters new hashes get: `PASSWORD_HASH_COST=test` lowers them outside production. */
function currentParams(env: Env): Argon2Params {
  return env.PASSWORD_HASH_COST === 'test' && env.ENVIRONMENT !== 'production' ? TEST : STANDARD;
}

const COMMON = new Set([
  'password123',
  'password1234',
  '1234567890',
  'qwertyuiop',
  'letmein1234',
  'iloveyou123',
]);

/** Email names shorter than this are too short to be a meaningful part of a password. */
const MIN_NAME_CHECK = 3;

/** Returns why a password is unacceptable, or null. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < 10) return 'Password must be at least 10 characters';
  if (password.length > 128) return 'Password must be at most 128 characters';
  if (!/[a-zA-Z]/.test(password) || !/[^a-zA-Z]/.test(password))
    return 'Password must mix letters with digits or symbols';
  if (COMMON.has(password.toLowerCase())) return 'Password is too common';
  // Only a name long enough to mean something: `a@…` must not forbid every password with an "a".
  const name = email?.split('@')[0]?.toLowerCase() ?? '';
  if (name.length >= MIN_NAME_CHECK && password.toLowerCase().includes(name))
    return 'Password must not contain your email name';
  return null;
}

const HASH_BYTES = 32;

/** The PHC string format, as argon2 implementations everywhere write it. */
const ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([\w+/-]+)\$([\w+/-]+)$/;

const b64 = (bytes: Uint8Array) => toBase64(bytes).replace(/=+$/, '');

/**
 * Synchronous on purpose: one hash at a time per isolate bounds its memory to one 19 MiB block,
 * where interleaved async hashes could add up past the isolate's 128 MB.
 */
function argon2(password: string, salt: Uint8Array, params: Argon2Params, bytes = HASH_BYTES) {
  return argon2id(utf8.encode(password), salt, { ...params, dkLen: bytes });
}

function phc(params: Argon2Params, salt: Uint8Array, hash: Uint8Array) {
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** An argon2id hash in PHC format: its parameters travel with it, so they can be raised later. */
export function hashPassword(env: Env, password: string): string {
  const params = currentParams(env);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return phc(params, salt, argon2(password, salt, params));
}

/** Checks a password against a stored hash, always with the hash's own parameters. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const argon = ARGON2ID.exec(stored);
  if (argon) {
    const [, m, t, p, salt, hash] = argon;
    const expected = fromBase64(hash!);
    const params = { m: Number(m), t: Number(t), p: Number(p) };
    const actual = argon2(password, fromBase64(salt!), params, expected.byteLength);
    return timingSafeEqual(b64(actual), b64(expected));
  }
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2_sha256' || !iter || !salt || !hash) return false;
  return timingSafeEqual(await pbkdf2(password, fromBase64(salt), Number(iter)), hash);
}

/** True for hashes weaker than what new ones get (older PBKDF2 ones, lower argon2id parameters). */
export function needsRehash(env: Env, stored: string): boolean {
  const params = currentParams(env);
  const argon = ARGON2ID.exec(stored);
  return !argon || Number(argon[1]) < params.m || Number(argon[2]) < params.t || Number(argon[3]) < params.p;
}

/** The hash scheme before argon2id (`pbkdf2_sha256$<iterations>$<salt>$<hash>`): still verified. */
async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  );
  return toBase64(new Uint8Array(bits));
}

/**
 * A hash to verify against when the account does not exist, at the cost of a real one, so timing
 * does not reveal which emails have accounts.
 */
export function dummyHash(env: Env): string {
  return phc(currentParams(env), new Uint8Array(16), new Uint8Array(HASH_BYTES));
}
