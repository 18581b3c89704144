import { env } from 'cloudflare:test';
import { decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signToken, verifyToken } from '../../src/domain/auth/tokens';
import {
  call,
  expectUnauthenticated,
  freezeClock,
  loginOk,
  ME,
  newUser,
  registerUser,
  setClock,
  type TestUser,
} from '../support';

/** vitest.config.ts: `JWT_SECRET` is `test:<secret>`, so tokens carry kid "test". */
const KID = 'test';
const SECRET = new TextEncoder().encode(env.JWT_SECRET.slice(env.JWT_SECRET.indexOf(':') + 1));

const b64url = (value: string | Uint8Array) => {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};
const json64 = (value: unknown) => b64url(JSON.stringify(value));

let user: TestUser;

beforeAll(async () => {
  user = await newUser('Jwt Target');
});

afterEach(() => {
  vi.useRealTimers();
});

/** The claims a real access token for `user` carries, to start each forgery from. */
function claimsFor(u: TestUser, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: u.id,
    sid: u.sessionId,
    typ: 'access',
    iss: env.JWT_ISSUER,
    aud: env.JWT_AUDIENCE,
    iat: now,
    exp: now + 600,
    jti: crypto.randomUUID(),
    ...overrides,
  };
}

/** Signs claims as the server would, with whatever header, key and algorithm a test chooses. */
function forge(
  claims: Record<string, unknown>,
  opts: { key?: Parameters<SignJWT['sign']>[0]; alg?: string; kid?: string | null } = {},
) {
  const header: { alg: string; typ: string; kid?: string } = { alg: opts.alg ?? 'HS256', typ: 'JWT' };
  if (opts.kid !== null) header.kid = opts.kid ?? KID;
  return new SignJWT(claims).setProtectedHeader(header).sign(opts.key ?? SECRET);
}

const me = (token: string) => call(ME, { token });

describe('access tokens at GET /auth/me', () => {
  it('accepts a token forged with the real key and claims (the control for every attack below)', async () => {
    const res = await me(await forge(claimsFor(user)));
    expect(res.status, res.text).toBe(200);
    expect(res.json.user.id).toBe(user.id);
  });

  it('issues HS256 tokens with kid "test", typ "access", the issuer, the audience and a session id', async () => {
    const header = decodeProtectedHeader(user.token);
    expect(header).toEqual({ alg: 'HS256', kid: KID, typ: 'JWT' });
    expect(decodeJwt(user.token)).toMatchObject({
      sub: user.id,
      sid: user.sessionId,
      typ: 'access',
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      jti: expect.any(String),
    });
  });

  it('refuses a request without credentials with 401 and WWW-Authenticate', async () => {
    const problem = expectUnauthenticated(await call(ME));
    expect(problem.detail).toMatch(/Bearer/);
  });

  it.each([
    ['Basic credentials', (t: string) => `Basic ${btoa(`a:${t}`)}`],
    ['a bare token without a scheme', (t: string) => t],
    ['an empty bearer', () => 'Bearer '],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
  ])('refuses %s in the Authorization header', async (_case, header) => {
    expectUnauthenticated(await call(ME, { headers: { Authorization: header(user.token) } }));
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const claims = claimsFor(user);
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${json64({ alg, typ: 'JWT', kid: KID })}.${json64(claims)}.`;
      expectUnauthenticated(await me(token));
      // Keeping the real signature does not help either.
      const realSig = user.token.split('.')[2];
      expectUnauthenticated(
        await me(`${json64({ alg, typ: 'JWT', kid: KID })}.${json64(claims)}.${realSig}`),
      );
    }
  });

  it('refuses a token whose signature was altered', async () => {
    const [h, p, s] = user.token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expectUnauthenticated(await me(`${h}.${p}.${flipped}`));
    expectUnauthenticated(await me(`${h}.${p}.`));
    expectUnauthenticated(await me(`${h}.${p}`));
  });

  it('refuses a token whose payload was altered (another user, longer expiry) under the original signature', async () => {
    const other = await newUser('Victim');
    const [h, , s] = user.token.split('.') as [string, string, string];
    const original = decodeJwt(user.token);
    expectUnauthenticated(
      await me(`${h}.${json64({ ...original, sub: other.id, sid: other.sessionId })}.${s}`),
    );
    expectUnauthenticated(
      await me(`${h}.${json64({ ...original, exp: (original.exp ?? 0) + 86_400 })}.${s}`),
    );
  });

  it('refuses a token signed with another secret, even under the right kid', async () => {
    const other = new TextEncoder().encode('another-secret-that-is-long-enough-0123456789');
    const problem = expectUnauthenticated(await me(await forge(claimsFor(user), { key: other })));
    expect(problem.detail).toBe('The token is invalid');
  });

  it('refuses RS256 and ES256 tokens signed with a key pair the attacker owns', async () => {
    for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      expectUnauthenticated(await me(await forge(claimsFor(user), { key: privateKey, alg })));
      expectUnauthenticated(await me(await forge(claimsFor(user), { key: privateKey, alg, kid: null })));
    }
  });

  it('refuses HS256 tokens whose HMAC key is a public key (algorithm confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const jwk = JSON.stringify(await exportJWK(publicKey));
    for (const material of [pem, jwk, pem.trim()]) {
      const key = new TextEncoder().encode(material);
      expectUnauthenticated(await me(await forge(claimsFor(user), { key })));
    }
  });

  it('refuses a token with an unknown kid or without a kid, even when signed with the real secret', async () => {
    for (const kid of ['other', 'k1', '', '__proto__', null]) {
      const problem = expectUnauthenticated(await me(await forge(claimsFor(user), { kid })));
      expect(problem.detail).toBe('The token is invalid');
    }
  });

  it('refuses a token for another audience or from another issuer', async () => {
    expectUnauthenticated(await me(await forge(claimsFor(user, { aud: 'someone-else' }))));
    expectUnauthenticated(await me(await forge(claimsFor(user, { aud: [] }))));
    expectUnauthenticated(await me(await forge(claimsFor(user, { iss: 'evil' }))));
    const { iss: _iss, ...noIssuer } = claimsFor(user);
    expectUnauthenticated(await me(await forge(noIssuer)));
    const { aud: _aud, ...noAudience } = claimsFor(user);
    expectUnauthenticated(await me(await forge(noAudience)));
  });

  it('refuses a token without typ, or whose typ is not "access"', async () => {
    const { typ: _typ, ...noTyp } = claimsFor(user);
    expectUnauthenticated(await me(await forge(noTyp)));
    for (const typ of ['refresh', 'ws_ticket', 'ACCESS', ['access'], null]) {
      expectUnauthenticated(await me(await forge(claimsFor(user, { typ }))));
    }
  });

  it('refuses a genuine ws_ticket token made by the server for this very session', async () => {
    const ticket = await signToken(env, 'ws_ticket', user.id, { sid: user.sessionId }, 60);
    const problem = expectUnauthenticated(await me(ticket));
    expect(problem.detail).toMatch(/access token/);
  });

  it('refuses a token without sub, exp or iat', async () => {
    for (const claim of ['sub', 'exp', 'iat'] as const) {
      const { [claim]: _dropped, ...rest } = claimsFor(user);
      expectUnauthenticated(await me(await forge(rest)));
    }
  });

  it('refuses a validly signed token for a session that does not exist or belongs to someone else', async () => {
    const other = await newUser('Other');
    expectUnauthenticated(await me(await forge(claimsFor(user, { sid: 'ses_doesnotexist' }))));
    expectUnauthenticated(await me(await forge(claimsFor(user, { sid: other.sessionId }))));
    const { sid: _sid, ...noSession } = claimsFor(user);
    expectUnauthenticated(await me(await forge(noSession)));
  });

  it('refuses an expired access token once its 15 minutes are up', async () => {
    const start = freezeClock(Date.now());
    const fresh = await registerUser();
    const tokens = await loginOk(fresh.email);
    setClock(start + 14 * 60_000);
    expect((await me(tokens.access_token)).status).toBe(200);
    setClock(start + 15 * 60_000 + 1_000);
    const problem = expectUnauthenticated(await me(tokens.access_token));
    expect(problem.detail).toMatch(/expired/);
  });

  it('refuses a refresh token presented as an access token', async () => {
    expectUnauthenticated(await me(user.refreshToken));
  });

  it.each([
    ['garbage', 'garbage'],
    ['three dots of garbage', 'a.b.c'],
    ['a JSON header with garbage after it', `${json64({ alg: 'HS256', kid: KID })}.%%%.***`],
    ['a very long token', 'x'.repeat(8_000)],
    ['an API-key-shaped string', 'fmk_not-a-real-key'],
  ])('refuses %s', async (_case, token) => {
    expectUnauthenticated(await me(token));
  });
});

describe('JWT signing keys (JWT_SECRET)', () => {
  const LONG_A = 'a-new-signing-secret-that-is-long-enough-000';
  const withSecret = (JWT_SECRET: string) => ({ ...env, JWT_SECRET });

  it('verifies tokens of every configured kid and signs with the first, so keys can rotate', async () => {
    const rotated = withSecret(`new:${LONG_A}, ${env.JWT_SECRET}`);
    // A token signed before the rotation (kid "test") is still accepted...
    const old = await signToken(env, 'access', user.id, { sid: user.sessionId }, 60);
    expect((await verifyToken(rotated, 'access', old)).sub).toBe(user.id);
    // ...and new tokens are signed with the new key, which the old configuration does not know.
    const fresh = await signToken(rotated, 'access', user.id, { sid: user.sessionId }, 60);
    expect(decodeProtectedHeader(fresh).kid).toBe('new');
    await expect(verifyToken(env, 'access', fresh)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a configuration with any key shorter than 32 characters, not only the first', async () => {
    await expect(signToken(withSecret('short:too-short'), 'access', 'usr_x', {}, 60)).rejects.toThrow(/32/);
    await expect(
      signToken(withSecret(`a:${LONG_A},old:too-short`), 'access', 'usr_x', {}, 60),
    ).rejects.toThrow(/"old".*32/);
  });

  it('ignores an empty entry (a trailing comma) instead of accepting an empty key', async () => {
    const config = withSecret(`a:${LONG_A},`);
    const empty = await new SignJWT(claimsFor(user))
      .setProtectedHeader({ alg: 'HS256', kid: 'k2' })
      .sign(new TextEncoder().encode('x'));
    await expect(verifyToken(config, 'access', empty)).rejects.toMatchObject({ status: 401 });
    const token = await signToken(config, 'access', user.id, {}, 60);
    expect((await verifyToken(config, 'access', token)).sub).toBe(user.id);
  });

  it('refuses a configuration that names one kid twice', async () => {
    await expect(
      signToken(withSecret(`a:${LONG_A},a:${LONG_A}x`), 'access', 'usr_x', {}, 60),
    ).rejects.toThrow(/twice/);
  });
});
