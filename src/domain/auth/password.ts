import { timingSafeEqual } from '../../lib/crypto';
import { fromBase64, toBase64, utf8 } from '../../lib/encoding';

/** The Workers runtime refuses PBKDF2 above 100,000 iterations in production. */
export const PBKDF2_ITERATIONS = 100_000;

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

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const key = await crypto.subtle.importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  );
  return toBase64(new Uint8Array(bits));
}

/** `pbkdf2_sha256$<iterations>$<salt>$<hash>`: parameters travel with the hash so they can be raised. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2_sha256$${PBKDF2_ITERATIONS}$${toBase64(salt)}$${await derive(password, salt, PBKDF2_ITERATIONS)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2_sha256' || !iter || !salt || !hash) return false;
  return timingSafeEqual(await derive(password, fromBase64(salt), Number(iter)), hash);
}

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
export const DUMMY_HASH = `pbkdf2_sha256$${PBKDF2_ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
