import { describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  expectProblem,
  FAKE_OPENAI_KEY,
  FAKE_OPENAI_URL,
  fakeProvider,
  newApiKey,
  newUser,
  orgPath,
  useFakeOpenAI,
} from '../support';

const fixture = useFakeOpenAI();

describe('providers', () => {
  it('stores the key in the vault and never returns it, in responses or activity', async () => {
    const u = await newUser();
    const created = await fakeProvider(u.token, u.orgId);
    expect(created).toMatchObject({
      kind: 'openai_compatible',
      has_api_key: true,
      base_url: FAKE_OPENAI_URL,
    });
    const reads = await Promise.all([
      call(orgPath(u.orgId, `/providers/${created.id}`), { token: u.token }),
      call(orgPath(u.orgId, '/providers'), { token: u.token }),
      call(orgPath(u.orgId, '/activity?limit=100'), { token: u.token }),
      call(orgPath(u.orgId, '/vault/items'), { token: u.token }),
    ]);
    for (const r of reads) {
      expect(r.status, r.text).toBe(200);
      expect(r.text).not.toContain(FAKE_OPENAI_KEY);
    }
    expect(JSON.stringify(created)).not.toContain(FAKE_OPENAI_KEY);
    // The gateway uses the key: the fake saw it on the wire.
    const listed = await call(orgPath(u.orgId, `/providers/${created.id}/models`), { token: u.token });
    expect(listed.json).toMatchObject({ source: 'provider' });
    expect(listed.json.data.map((m: { id: string }) => m.id)).toContain('fake-echo');
    expect(fixture().seen.at(-1)?.headers.get('Authorization')).toBe(`Bearer ${FAKE_OPENAI_KEY}`);
  });

  it('tests a connection and says what to change when it fails', async () => {
    const u = await newUser();
    const test = (body: unknown) => call(orgPath(u.orgId, '/providers/test'), { token: u.token, body });
    const ok = await test({ kind: 'openai_compatible', base_url: FAKE_OPENAI_URL, api_key: FAKE_OPENAI_KEY });
    expect(ok.json).toMatchObject({ ok: true, stage: null, model_count: 4 });
    const badKey = await test({ kind: 'openai_compatible', base_url: FAKE_OPENAI_URL, api_key: 'sk-wrong' });
    expect(badKey.json).toMatchObject({ ok: false, stage: 'auth', status: 401 });
    expect(badKey.json.message).toMatch(/check or replace the key/);
    const noUrl = await test({ kind: 'ollama' });
    expect(noUrl.json).toMatchObject({ ok: false, stage: 'settings' });
    expect(noUrl.json.message).toMatch(/base URL/);
    const saved = await fakeProvider(u.token, u.orgId);
    expect((await test({ provider_id: saved.id })).json).toMatchObject({ ok: true });
  });

  it('refuses a private base URL outside development rules and unknown kinds (422), writing nothing', async () => {
    const u = await newUser();
    const res = await call(orgPath(u.orgId, '/providers'), {
      token: u.token,
      body: { kind: 'openai_compatible', name: 'x', base_url: 'ftp://example.com' },
    });
    expectProblem(res, 422);
    expectProblem(
      await call(orgPath(u.orgId, '/providers'), { token: u.token, body: { kind: 'nope', name: 'x' } }),
      422,
    );
    expect((await call(orgPath(u.orgId, '/providers'), { token: u.token })).json.data).toEqual([]);
  });

  it('answers 404 for another organization’s provider, 403 for viewers and keys without the scope', async () => {
    const [a, b, viewer] = await Promise.all([newUser(), newUser(), newUser()]);
    await addMember(a, a.orgId, viewer, 'viewer');
    const theirs = await fakeProvider(b.token, b.orgId);
    for (const [method, rest] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '/models'],
    ] as const)
      expectProblem(
        await call(orgPath(a.orgId, `/providers/${theirs.id}${rest}`), {
          method,
          token: a.token,
          body: method === 'PATCH' ? { name: 'mine' } : undefined,
        }),
        404,
      );
    expect(
      (await call(orgPath(a.orgId, '/providers/test'), { token: a.token, body: { provider_id: theirs.id } }))
        .status,
    ).toBe(404);
    expectProblem(
      await call(orgPath(a.orgId, '/providers'), {
        token: viewer.token,
        body: { kind: 'openai', name: 'x', api_key: 'k' },
      }),
      403,
    );
    const { key } = await newApiKey(a, a.orgId, ['models:read']);
    expectProblem(
      await call(orgPath(a.orgId, '/providers'), {
        token: key,
        body: { kind: 'openai', name: 'x', api_key: 'k' },
      }),
      403,
    );
    expectProblem(await call(orgPath(a.orgId, '/providers')), 401);
  });
});
