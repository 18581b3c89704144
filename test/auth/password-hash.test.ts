import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../src/domain/auth/password';
import { call, LOGIN, loginOk, PASSWORD, registerUser } from '../support';

const storedHash = async (userId: string) =>
  (await env.DB.prepare('SELECT password_hash AS h FROM users WHERE id = ?')
    .bind(userId)
    .first<{ h: string }>())!.h;

/** A hash in the scheme used before argon2id, made the way it was made then. */
async function legacyPbkdf2(password: string, iterations = 100_000) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    256,
  );
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  return `pbkdf2_sha256$${iterations}$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}

describe('password hashes', () => {
  it('stores argon2id hashes in PHC format, with their parameters', async () => {
    const user = await registerUser();
    expect(await storedHash(user.id)).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[\w+/]+\$[\w+/]+$/);
  });

  it("uses OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane) outside the test suite", async () => {
    const production = { ...env, ENVIRONMENT: 'production', PASSWORD_HASH_COST: 'test' };
    const hash = hashPassword(production, PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword('not-the-password-1', hash)).toBe(false);
    expect(needsRehash(production, hash)).toBe(false);
  });

  it('verifies each hash with its own parameters and marks weaker ones for rehashing', async () => {
    const cheap = hashPassword(env, PASSWORD);
    const standard = hashPassword({ ...env, PASSWORD_HASH_COST: undefined }, PASSWORD);
    expect(await verifyPassword(PASSWORD, cheap)).toBe(true);
    expect(await verifyPassword(PASSWORD, standard)).toBe(true);
    expect(needsRehash({ ...env, PASSWORD_HASH_COST: undefined }, cheap)).toBe(true);
    expect(needsRehash(env, standard)).toBe(false);
    expect(needsRehash(env, await legacyPbkdf2(PASSWORD, 1_000))).toBe(true);
  });

  it('signs in with a legacy PBKDF2 hash and replaces it with argon2id on that sign-in', async () => {
    const user = await registerUser();
    const legacy = await legacyPbkdf2(PASSWORD);
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(legacy, user.id).run();

    await loginOk(user.email);
    const upgraded = await storedHash(user.id);
    expect(upgraded).toMatch(/^\$argon2id\$/);
    // The new hash is of the same password: signing in again works and changes nothing.
    await loginOk(user.email);
    expect(await storedHash(user.id)).toBe(upgraded);
  });

  it('leaves a legacy hash alone when the password is wrong', async () => {
    const user = await registerUser();
    const legacy = await legacyPbkdf2(PASSWORD);
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(legacy, user.id).run();
    const res = await call(LOGIN, { body: { email: user.email, password: 'wrong-password-1' } });
    expect(res.status).toBe(401);
    expect(await storedHash(user.id)).toBe(legacy);
  });
});
