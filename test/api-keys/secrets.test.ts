import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiKeySchema, ApiKeyWithSecretSchema, RotatedApiKeySchema } from '../../src/routes/api-keys/schemas';
import { activityFor, call, expectProblem, keyStatus, keysPath, ownerWithKey } from '../support';

afterEach(() => {
  vi.useRealTimers();
});

/** Freezes the clock (for the Worker too: it runs in this isolate) so time moves only when told. */
function freezeClock() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now());
  return { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}

describe('revoke', () => {
  it('makes the key unusable at once and records api_key.revoked', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    expect(await keyStatus(key)).toBe(200);
    const res = await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token });
    expect(res.status, res.text).toBe(200);
    expect(ApiKeySchema.parse(res.json)).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    const refused = expectProblem(await call('/api/v1/auth/me', { token: key }), 401);
    expect(refused.detail).toMatch(/revoked/);
    expect(await activityFor(owner, orgId, record.id)).toEqual(['api_key.revoked', 'api_key.created']);
  });

  it('keeps a revoked key visible in the list, marked revoked', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token });
    const list = await call(keysPath(orgId), { token: owner.token });
    expect(list.json.data).toEqual([expect.objectContaining({ id: record.id, status: 'revoked' })]);
  });

  it('answers 409 when the key is already revoked', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token });
    expectProblem(
      await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token }),
      409,
    );
  });
});

describe('rotate', () => {
  it('returns a new secret once while the old one keeps working for the default day', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const before = Date.now();
    const res = await call(keysPath(orgId, record.id, 'rotate'), { method: 'POST', token: owner.token });
    expect(res.status, res.text).toBe(200);
    const body = RotatedApiKeySchema.parse(res.json);
    expect(body.key).toMatch(/^fmk_/);
    expect(body.key).not.toBe(key);
    expect(body.api_key.start).toBe(body.key.slice(0, 12));
    const graceEnds = Date.parse(body.previous_secret_expires_at) - before;
    expect(graceEnds).toBeGreaterThanOrEqual(86_400_000);
    expect(graceEnds).toBeLessThan(86_400_000 + 60_000);
    expect(await keyStatus(key)).toBe(200);
    expect(await keyStatus(body.key)).toBe(200);
    expect(await activityFor(owner, orgId, record.id)).toEqual(['api_key.rotated', 'api_key.created']);
  });

  it('stops the old secret when the grace period ends; the new one keeps working', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const clock = freezeClock();
    const res = await call(keysPath(orgId, record.id, 'rotate'), {
      token: owner.token,
      body: { grace_period_seconds: 120 },
    });
    expect(res.status, res.text).toBe(200);
    clock.advance(119_000);
    expect(await keyStatus(key)).toBe(200);
    clock.advance(1_000);
    expect(await keyStatus(key)).toBe(401);
    expect(await keyStatus(res.json.key)).toBe(200);
  });

  it('never lengthens the grace of a secret already being retired', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const clock = freezeClock();
    const rotate = (grace: number) =>
      call(keysPath(orgId, record.id, 'rotate'), {
        token: owner.token,
        body: { grace_period_seconds: grace },
      });
    const first = await rotate(60);
    const second = await rotate(3600);
    clock.advance(60_000);
    expect(await keyStatus(key)).toBe(401);
    expect(await keyStatus(first.json.key)).toBe(200);
    expect(await keyStatus(second.json.key)).toBe(200);
  });

  it('with a grace period of 0 stops the old secret at once', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const res = await call(keysPath(orgId, record.id, 'rotate'), {
      token: owner.token,
      body: { grace_period_seconds: 0 },
    });
    expect(res.status, res.text).toBe(200);
    expect(await keyStatus(key)).toBe(401);
  });

  it('rejects a grace period that is negative, over 30 days or not an integer with a per-field error', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    for (const grace of [-1, 30 * 86_400 + 1, 1.5, '60']) {
      const problem = expectProblem(
        await call(keysPath(orgId, record.id, 'rotate'), {
          token: owner.token,
          body: { grace_period_seconds: grace },
        }),
        422,
      );
      expect(problem.errors).toEqual([expect.objectContaining({ path: 'grace_period_seconds' })]);
    }
  });

  it('answers 409 for a revoked key', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token });
    expectProblem(
      await call(keysPath(orgId, record.id, 'rotate'), { method: 'POST', token: owner.token }),
      409,
    );
  });
});

describe('roll', () => {
  it('returns a new secret and stops the old one at once', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const res = await call(keysPath(orgId, record.id, 'roll'), { method: 'POST', token: owner.token });
    expect(res.status, res.text).toBe(200);
    const body = ApiKeyWithSecretSchema.parse(res.json);
    expect(body.api_key.start).toBe(body.key.slice(0, 12));
    expect(await keyStatus(key)).toBe(401);
    expect(await keyStatus(body.key)).toBe(200);
    expect(await activityFor(owner, orgId, record.id)).toEqual(['api_key.rolled', 'api_key.created']);
  });

  it('also ends a secret still in its rotation grace period', async () => {
    const { owner, orgId, key, record } = await ownerWithKey(['activity:read']);
    const rotated = await call(keysPath(orgId, record.id, 'rotate'), { method: 'POST', token: owner.token });
    const rolled = await call(keysPath(orgId, record.id, 'roll'), { method: 'POST', token: owner.token });
    expect(await keyStatus(key)).toBe(401);
    expect(await keyStatus(rotated.json.key)).toBe(401);
    expect(await keyStatus(rolled.json.key)).toBe(200);
  });

  it('answers 409 for a revoked key', async () => {
    const { owner, orgId, record } = await ownerWithKey(['activity:read']);
    await call(keysPath(orgId, record.id, 'revoke'), { method: 'POST', token: owner.token });
    expectProblem(
      await call(keysPath(orgId, record.id, 'roll'), { method: 'POST', token: owner.token }),
      409,
    );
  });
});
