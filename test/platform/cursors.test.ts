import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { decodeCursor, encodeCursor } from '../../src/http/pagination';
import { call, expectProblem, newUser, type TestUser } from '../support';

let u: TestUser;
const list = (rest: string, query = '') =>
  call(`/api/v1/orgs/${u.orgId}/${rest}?limit=1${query}`, { token: u.token });

const lists = ['activity', 'agents', 'tickets', 'jobs', 'api-keys', 'projects'];

beforeAll(async () => {
  u = await newUser();
  for (const n of [1, 2]) {
    const post = (rest: string, body: unknown) =>
      call(`/api/v1/orgs/${u.orgId}/${rest}`, { token: u.token, body });
    expect((await post('agents', { name: `cursor-agent-${n}` })).status).toBe(201);
    expect((await post('tickets', { title: `Ticket ${n}` })).status).toBe(201);
    expect((await post('jobs', { type: 'cursor', payload: n })).status).toBe(201);
    expect((await post('api-keys', { name: `key-${n}`, scopes: ['org:read'] })).status).toBe(201);
    expect((await post('projects', { name: `Project ${n}` })).status).toBe(201);
  }
});

function expectNotIssued(res: Awaited<ReturnType<typeof call>>) {
  expect(expectProblem(res, 400).detail).toBe('The cursor is not one this API issued');
}

describe('list cursors', () => {
  it.each(lists)('%s: the cursor it issued reads the next page', async (rest) => {
    const first = await list(rest);
    expect(first.status, first.text).toBe(200);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await list(rest, `&cursor=${encodeURIComponent(first.json.next_cursor)}`);
    expect(second.status, second.text).toBe(200);
    expect(second.json.data[0]).not.toEqual(first.json.data[0]);
  });

  it.each(lists)('%s: a forged base64 JSON cursor is refused with 400', async (rest) => {
    const forged = btoa(JSON.stringify({ id: 'zzzz', created_at: 0 })).replaceAll('=', '');
    expectNotIssued(await list(rest, `&cursor=${forged}`));
    // The sort key of a real item, encoded as the API used to, without its MAC.
    const first = await list(rest);
    const key = first.json.next_cursor.split('.')[0];
    expectNotIssued(await list(rest, `&cursor=${key}`));
  });

  it.each(lists)('%s: a tampered cursor is refused with 400', async (rest) => {
    const [key, mac] = (await list(rest)).json.next_cursor.split('.');
    const other = btoa('zzzzzzzzzzzzzzzz').replaceAll('=', '');
    expectNotIssued(await list(rest, `&cursor=${other}.${mac}`));
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    expectNotIssued(await list(rest, `&cursor=${key}.${flipped}`));
    expectNotIssued(await list(rest, '&cursor=%25%25%25'));
  });
});

describe('cursor signing', () => {
  const server = (secret: string) => ({ JWT_SECRET: secret }) as Env;
  const oldKey = 'old:an-old-secret-that-is-long-enough-0123456789';
  const newKey = 'new:a-new-secret-that-is-long-enough-0123456789ab';

  it('keeps the cursors it issued valid across a JWT_SECRET rotation', async () => {
    const cursor = await encodeCursor(server(oldKey), 'agt_123');
    expect(await decodeCursor(server(`${newKey},${oldKey}`), cursor)).toBe('agt_123');
  });

  it('refuses a cursor that another server (another secret) issued', async () => {
    const cursor = await encodeCursor(server(oldKey), 'agt_123');
    await expect(decodeCursor(server(newKey), cursor)).rejects.toMatchObject({ status: 400 });
  });

  it('does not sign cursors with the token key itself', async () => {
    const secret = oldKey.slice('old:'.length);
    const raw = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const plain = await crypto.subtle.sign('HMAC', raw, new TextEncoder().encode('agt_123'));
    const mac = btoa(String.fromCharCode(...new Uint8Array(plain)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    const cursor = await encodeCursor(server(oldKey), 'agt_123');
    expect(cursor.split('.')[1]).not.toBe(mac);
  });
});
