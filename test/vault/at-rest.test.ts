import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/lib/encoding';
import {
  call,
  captureErrorLog,
  expectProblem,
  itemActivity,
  itemsPath,
  newUser,
  reveal,
  rotate,
  secretValue,
  storeItem,
  tableText,
} from '../support';

const VAULT_TABLES = [
  'vault_items',
  'vault_item_versions',
  'vault_data_keys',
  'activity_log',
  'idempotency_keys',
];

/** What a leak would look like: the value itself, or its bytes merely base64-encoded. */
const leakForms = (value: string) => [value, toBase64(utf8.encode(value))];

async function swapCiphertext(
  from: { itemId: string; version: number },
  to: { itemId: string; version: number },
) {
  const source = await env.DB.prepare(
    'SELECT ciphertext, iv FROM vault_item_versions WHERE item_id = ? AND version = ?',
  )
    .bind(from.itemId, from.version)
    .first<{ ciphertext: string; iv: string }>();
  expect(source).not.toBeNull();
  await env.DB.prepare(
    'UPDATE vault_item_versions SET ciphertext = ?, iv = ? WHERE item_id = ? AND version = ?',
  )
    .bind(source!.ciphertext, source!.iv, to.itemId, to.version)
    .run();
}

let logged: ReturnType<typeof captureErrorLog>;

/**
 * A failed integrity check is a 500 problem that names no internals and reveals nothing; the log
 * says what failed, under the request id the caller is asked to quote.
 */
function expectIntegrityFailure(res: Awaited<ReturnType<typeof reveal>>, ...mustNotContain: string[]) {
  const problem = expectProblem(res, 500);
  expect(Object.keys(problem).sort()).toEqual([
    'detail',
    'instance',
    'request_id',
    'status',
    'title',
    'type',
  ]);
  expect(problem.detail).toBe(
    'The stored secret failed its integrity check and cannot be decrypted; quote the request id when reporting it',
  );
  expect(res.text).not.toMatch(/OperationError|Decryption failed|subtle|master|wrapped|D1_|SQL|stack/i);
  for (const s of mustNotContain) expect(res.text).not.toContain(s);
  expect(logged()).toEqual([
    expect.objectContaining({ event: 'vault.integrity_failure' }),
    expect.objectContaining({ request_id: problem.request_id }),
  ]);
}

describe('values at rest', () => {
  it('never appear in a response other than reveal, nor anywhere in D1', async () => {
    const owner = await newUser();
    const first = secretValue();
    const second = secretValue();
    const store = await call(itemsPath(owner.orgId), {
      token: owner.token,
      body: { name: 'scan-me', value: first },
      headers: { 'Idempotency-Key': 'scan-me-1' },
    });
    expect(store.status, store.text).toBe(201);
    const id = store.json.id;
    const responses = [
      store,
      await rotate(owner.token, owner.orgId, id, { value: second }),
      await call(itemsPath(owner.orgId), { token: owner.token }),
      await call(itemsPath(owner.orgId, id), { token: owner.token }),
      await call(itemsPath(owner.orgId, id), {
        token: owner.token,
        method: 'PATCH',
        body: { description: 'd' },
      }),
      await call(`/api/v1/orgs/${owner.orgId}/activity`, { token: owner.token }),
    ];
    expect((await reveal(owner.token, owner.orgId, id, 1)).json.value).toBe(first);
    expect((await reveal(owner.token, owner.orgId, id)).json.value).toBe(second);

    for (const res of responses) {
      expect(res.status, res.text).toBeLessThan(300);
      for (const leak of [...leakForms(first), ...leakForms(second)]) expect(res.text).not.toContain(leak);
    }
    for (const table of VAULT_TABLES) {
      const text = await tableText(table);
      for (const leak of [...leakForms(first), ...leakForms(second)]) expect(text, table).not.toContain(leak);
    }
  });
});

describe('tampering with stored ciphertext', () => {
  beforeEach(() => {
    logged = captureErrorLog();
  });

  it('fails to decrypt a value swapped in from another item of the organization', async () => {
    const owner = await newUser();
    const a = await storeItem(owner.token, owner.orgId);
    const b = await storeItem(owner.token, owner.orgId);
    await swapCiphertext({ itemId: b.item.id, version: 1 }, { itemId: a.item.id, version: 1 });
    expectIntegrityFailure(await reveal(owner.token, owner.orgId, a.item.id), a.value, b.value);
    // Nothing was revealed, so nothing is recorded as revealed.
    expect((await itemActivity(owner, owner.orgId, a.item.id)).map((e) => e.action)).toEqual([
      'vault.item_created',
    ]);
    // The untouched item still decrypts.
    expect((await reveal(owner.token, owner.orgId, b.item.id)).json.value).toBe(b.value);
  });

  it('fails to decrypt a value copied in from another organization', async () => {
    const [owner, other] = await Promise.all([newUser(), newUser()]);
    const mine = await storeItem(owner.token, owner.orgId);
    const theirs = await storeItem(other.token, other.orgId);
    await swapCiphertext({ itemId: theirs.item.id, version: 1 }, { itemId: mine.item.id, version: 1 });
    expectIntegrityFailure(await reveal(owner.token, owner.orgId, mine.item.id), mine.value, theirs.value);
  });

  it('fails to decrypt a value moved to another version of the same item', async () => {
    const owner = await newUser();
    const { item, value } = await storeItem(owner.token, owner.orgId);
    await rotate(owner.token, owner.orgId, item.id, { value: secretValue() });
    await swapCiphertext({ itemId: item.id, version: 1 }, { itemId: item.id, version: 2 });
    expectIntegrityFailure(await reveal(owner.token, owner.orgId, item.id), value);
  });

  it('fails to decrypt when an organization’s wrapped data key is replaced by another’s', async () => {
    const [owner, other] = await Promise.all([newUser(), newUser()]);
    const mine = await storeItem(owner.token, owner.orgId);
    await storeItem(other.token, other.orgId);
    await env.DB.prepare(
      `UPDATE vault_data_keys SET wrapped_key = (SELECT wrapped_key FROM vault_data_keys WHERE org_id = ?),
         master_version = (SELECT master_version FROM vault_data_keys WHERE org_id = ?) WHERE org_id = ?`,
    )
      .bind(other.orgId, other.orgId, owner.orgId)
      .run();
    expectIntegrityFailure(await reveal(owner.token, owner.orgId, mine.item.id), mine.value);
  });
});
