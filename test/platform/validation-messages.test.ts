import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, newUser, type TestUser } from '../support';

let u: TestUser;
const path = (rest: string) => `/api/v1/orgs/${u.orgId}/${rest}`;

beforeAll(async () => {
  u = await newUser();
});

/** The problem's errors, and its detail, which joins their messages. */
async function problem(rest: string, body?: unknown) {
  const p = expectProblem(await call(path(rest), { token: u.token, body }), 422);
  return { errors: p.errors as { path: string; message: string }[], detail: p.detail as string };
}

describe('validation messages', () => {
  it('say what a bounded integer must be', async () => {
    for (const limit of ['abc', '0', '101', '2.5']) {
      const p = await problem(`activity?limit=${limit}`);
      expect(p.errors).toEqual([{ path: 'limit', message: 'limit must be an integer from 1 to 100' }]);
      expect(p.detail).toBe('limit must be an integer from 1 to 100');
    }
  });

  it('list the values an enum accepts', async () => {
    const p = await problem('jobs?state=nope');
    expect(p.errors).toEqual([
      { path: 'state', message: 'state must be one of: waiting, leased, done, failed, dead' },
    ]);
  });

  it('name a missing field, an unknown field (without a target prefix) and a string too long', async () => {
    const p = await problem('agents', { display_name: 'x'.repeat(101), foo: 1 });
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'name is required' },
        { path: 'display_name', message: 'display_name must be at most 100 characters long' },
        { path: 'foo', message: 'unknown field: foo' },
      ]),
    );
    expect(p.detail).not.toMatch(/json:/);
  });

  it('name nested fields by their path, and keep a schema’s own hint next to its field', async () => {
    const p = await problem('agents', { name: 'ok-name', tags: ['Bad Tag'], config: [] });
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { path: 'tags.0', message: expect.stringMatching(/^Tags are lowercase/) },
        { path: 'config', message: 'config must be a JSON object' },
      ]),
    );
    expect(p.detail).toContain('tags.0: Tags are lowercase');
  });

  it('say when the body is not an object', async () => {
    const p = await problem('jobs', []);
    expect(p.detail).toBe('The body must be a JSON object');
  });
});
