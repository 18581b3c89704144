import { afterEach, describe, expect, it, vi } from 'vitest';
import { housekeeping } from '../../src/cron/housekeeping';
import {
  call,
  countRows,
  db,
  expectProblem,
  itemActivity,
  itemsPath,
  keyWith,
  memberOf,
  newUser,
  reveal,
  rotate,
  secretValue,
  storeItem,
  unique,
} from '../support';
import { cron } from '../support/cron';

const SECOND = 1000;
const DAY = 86_400 * SECOND;

/** The Worker runs in this isolate, so a mocked Date moves its clock too. */
function freezeClock() {
  vi.useFakeTimers({ toFake: ['Date'] });
  const t0 = Math.floor(Date.now() / SECOND) * SECOND;
  vi.setSystemTime(t0);
  return { t0, at: (ms: number) => vi.setSystemTime(t0 + ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('rotate a vault item', () => {
  it('makes the new value current and keeps the previous one readable for a day by default', async () => {
    const owner = await newUser();
    const { t0 } = freezeClock();
    const { item, value: oldValue } = await storeItem(owner.token, owner.orgId);
    const newValue = secretValue();
    const res = await rotate(owner.token, owner.orgId, item.id, { value: newValue });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      id: item.id,
      current_version: 2,
      versions: [
        { version: 2, expires_at: null },
        { version: 1, expires_at: new Date(t0 + DAY).toISOString() },
      ],
    });
    expect(res.text).not.toContain(newValue);
    expect(res.text).not.toContain(oldValue);

    expect((await reveal(owner.token, owner.orgId, item.id)).json).toMatchObject({
      version: 2,
      value: newValue,
    });
    expect((await reveal(owner.token, owner.orgId, item.id, 1)).json).toMatchObject({
      version: 1,
      value: oldValue,
    });
    const rotated = (await itemActivity(owner, owner.orgId, item.id)).find(
      (e) => e.action === 'vault.item_rotated',
    );
    expect(rotated?.metadata).toEqual({
      name: item.name,
      version: 2,
      previous_version: 1,
      grace_period_seconds: 86_400,
    });
  });

  it('serves an old version within its grace, answers 410 after, and housekeeping purges it', async () => {
    const owner = await newUser();
    const clock = freezeClock();
    const { item, value: oldValue } = await storeItem(owner.token, owner.orgId);
    const newValue = secretValue();
    expect(
      (await rotate(owner.token, owner.orgId, item.id, { value: newValue, grace_period_seconds: 60 })).status,
    ).toBe(200);

    clock.at(59 * SECOND);
    expect((await reveal(owner.token, owner.orgId, item.id, 1)).json.value).toBe(oldValue);
    await housekeeping(db(), Date.now());
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(2);

    clock.at(60 * SECOND);
    const gone = expectProblem(await reveal(owner.token, owner.orgId, item.id, 1), 410);
    expect(gone.detail).toContain('grace period');
    expect((await reveal(owner.token, owner.orgId, item.id)).json.value).toBe(newValue);
    const meta = await call(itemsPath(owner.orgId, item.id), { token: owner.token });
    expect(meta.json.versions.map((v: { version: number }) => v.version)).toEqual([2]);

    await housekeeping(db(), Date.now());
    expect(await countRows('vault_item_versions WHERE item_id = ? AND version = 1', item.id)).toBe(0);
    expect(await countRows('vault_item_versions WHERE item_id = ? AND version = 2', item.id)).toBe(1);
    expectProblem(await reveal(owner.token, owner.orgId, item.id, 1), 410);
    // Running it again for the same time changes nothing more.
    await housekeeping(db(), Date.now());
    expect((await reveal(owner.token, owner.orgId, item.id)).json.value).toBe(newValue);
  });

  it('purges expired versions from the Worker’s scheduled handler', async () => {
    const owner = await newUser();
    const clock = freezeClock();
    const { item } = await storeItem(owner.token, owner.orgId);
    await rotate(owner.token, owner.orgId, item.id, { value: secretValue(), grace_period_seconds: 1 });
    clock.at(2 * SECOND);
    await cron();
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1);
  });

  it('ends every earlier version at once with a zero grace period', async () => {
    const owner = await newUser();
    freezeClock();
    const { item } = await storeItem(owner.token, owner.orgId);
    await rotate(owner.token, owner.orgId, item.id, { value: secretValue() });
    const res = await rotate(owner.token, owner.orgId, item.id, {
      value: secretValue(),
      grace_period_seconds: 0,
    });
    expect(res.json.versions.map((v: { version: number }) => v.version)).toEqual([3]);
    expectProblem(await reveal(owner.token, owner.orgId, item.id, 1), 410);
    expectProblem(await reveal(owner.token, owner.orgId, item.id, 2), 410);
  });

  it('never extends an earlier version’s deadline with a longer grace period', async () => {
    const owner = await newUser();
    const clock = freezeClock();
    const { item } = await storeItem(owner.token, owner.orgId);
    await rotate(owner.token, owner.orgId, item.id, { value: secretValue(), grace_period_seconds: 60 });
    clock.at(10 * SECOND);
    const res = await rotate(owner.token, owner.orgId, item.id, {
      value: secretValue(),
      grace_period_seconds: 3600,
    });
    expect(res.json.versions).toEqual([
      expect.objectContaining({ version: 3, expires_at: null }),
      expect.objectContaining({ version: 2, expires_at: new Date(clock.t0 + 3610 * SECOND).toISOString() }),
      expect.objectContaining({ version: 1, expires_at: new Date(clock.t0 + 60 * SECOND).toISOString() }),
    ]);
  });

  it('refuses bad input with 422 and stores no version', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const bad = [
      [{}, 'value'],
      [{ value: '' }, 'value'],
      [{ value: 'v'.repeat(64 * 1024 + 1) }, 'value'],
      [{ value: 'ok', grace_period_seconds: -1 }, 'grace_period_seconds'],
      [{ value: 'ok', grace_period_seconds: 1.5 }, 'grace_period_seconds'],
      [{ value: 'ok', grace_period_seconds: 31 * 86_400 }, 'grace_period_seconds'],
    ] as const;
    for (const [body, field] of bad) {
      const problem = expectProblem(await rotate(owner.token, owner.orgId, item.id, body), 422);
      expect(problem.errors).toEqual([expect.objectContaining({ path: field })]);
    }
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1);
    expect(await itemActivity(owner, owner.orgId, item.id)).toHaveLength(1);
  });

  it('answers 401 without credentials', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await call(itemsPath(owner.orgId, item.id, 'rotate'), { body: { value: 'x' } }), 401);
  });

  it('forbids members, viewers and keys without vault:write with 403', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const tokens = [
      (await memberOf(owner, 'member')).token,
      (await memberOf(owner, 'viewer')).token,
      await keyWith(owner, 'vault:read', 'vault:reveal'),
    ];
    for (const token of tokens) expectProblem(await rotate(token, owner.orgId, item.id, { value: 'x' }), 403);
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1);
    const byKey = await rotate(await keyWith(owner, 'vault:write'), owner.orgId, item.id, { value: 'x' });
    expect(byKey.status, byKey.text).toBe(200);
  });

  it('answers another organization’s item with 404 and stores no version', async () => {
    const [owner, outsider] = await Promise.all([newUser(), newUser()]);
    const { item } = await storeItem(owner.token, owner.orgId);
    expectProblem(await rotate(outsider.token, owner.orgId, item.id, { value: 'x' }), 404);
    expectProblem(await rotate(outsider.token, outsider.orgId, item.id, { value: 'x' }), 404);
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1);
  });

  it('replays a retried rotate with the same Idempotency-Key instead of rotating twice', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const body = { value: secretValue() };
    const headers = { 'Idempotency-Key': unique('rot') };
    const first = await call(itemsPath(owner.orgId, item.id, 'rotate'), {
      token: owner.token,
      body,
      headers,
    });
    const again = await call(itemsPath(owner.orgId, item.id, 'rotate'), {
      token: owner.token,
      body,
      headers,
    });
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(first.json.current_version).toBe(2);
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(2);
  });

  it('keeps versions consistent when rotations race: each one succeeds or answers 409', async () => {
    const owner = await newUser();
    const { item } = await storeItem(owner.token, owner.orgId);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => rotate(owner.token, owner.orgId, item.id, { value: secretValue() })),
    );
    for (const r of results) expect([200, 409], r.text).toContain(r.status);
    const succeeded = results.filter((r) => r.status === 200).length;
    expect(succeeded).toBeGreaterThan(0);
    const meta = await call(itemsPath(owner.orgId, item.id), { token: owner.token });
    expect(meta.json.current_version).toBe(1 + succeeded);
    expect(await countRows('vault_item_versions WHERE item_id = ?', item.id)).toBe(1 + succeeded);
    expect((await reveal(owner.token, owner.orgId, item.id)).status).toBe(200);
  });
});
