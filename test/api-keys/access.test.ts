import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, keysPath, newApiKey, newUser, type TestUser } from '../support';

interface RouteCase {
  name: string;
  method: string;
  /** The route's path for an organization and (when it has one) a key. */
  path: (orgId: string, keyId: string) => string;
  body?: unknown;
  scope: 'api_keys:read' | 'api_keys:write';
}

const routes: RouteCase[] = [
  {
    name: 'create',
    method: 'POST',
    path: (o) => keysPath(o),
    body: { name: 'k', scopes: ['activity:read'] },
    scope: 'api_keys:write',
  },
  { name: 'list', method: 'GET', path: (o) => keysPath(o), scope: 'api_keys:read' },
  { name: 'get', method: 'GET', path: (o, k) => keysPath(o, k), scope: 'api_keys:read' },
  {
    name: 'update',
    method: 'PATCH',
    path: (o, k) => keysPath(o, k),
    body: { name: 'renamed' },
    scope: 'api_keys:write',
  },
  { name: 'delete', method: 'DELETE', path: (o, k) => keysPath(o, k), scope: 'api_keys:write' },
  { name: 'revoke', method: 'POST', path: (o, k) => keysPath(o, k, 'revoke'), scope: 'api_keys:write' },
  {
    name: 'rotate',
    method: 'POST',
    path: (o, k) => keysPath(o, k, 'rotate'),
    body: { grace_period_seconds: 60 },
    scope: 'api_keys:write',
  },
  { name: 'roll', method: 'POST', path: (o, k) => keysPath(o, k, 'roll'), scope: 'api_keys:write' },
  { name: 'usage', method: 'GET', path: (o, k) => keysPath(o, k, 'usage'), scope: 'api_keys:read' },
];

const keyRoutes = routes.filter((r) => r.path('o', 'KEY').includes('KEY'));
const writeRoutes = routes.filter((r) => r.scope === 'api_keys:write');

let owner: TestUser;
let outsider: TestUser;
let member: TestUser;
let viewer: TestUser;
let targetKeyId: string;
let outsiderKeyId: string;
const keys = {} as Record<'activityOnly' | 'readOnly' | 'outsiderAll', string>;

beforeAll(async () => {
  [owner, outsider, member, viewer] = await Promise.all([
    newUser('Owner'),
    newUser('Outsider'),
    newUser('Member'),
    newUser('Viewer'),
  ]);
  await addMember(owner, owner.orgId, member, 'member');
  await addMember(owner, owner.orgId, viewer, 'viewer');
  targetKeyId = (await newApiKey(owner, owner.orgId, ['activity:read'])).record.id;
  keys.activityOnly = (await newApiKey(owner, owner.orgId, ['activity:read'])).key;
  keys.readOnly = (await newApiKey(owner, owner.orgId, ['api_keys:read'])).key;
  const outsiders = await newApiKey(outsider, outsider.orgId, ['*']);
  keys.outsiderAll = outsiders.key;
  outsiderKeyId = outsiders.record.id;
});

const send = (r: RouteCase, token: string | undefined, orgId = owner.orgId, keyId = targetKeyId) =>
  call(r.path(orgId, keyId), { method: r.method, body: r.body, token });

describe.each(routes)('$name ($method) access', (route) => {
  it('answers 401 without credentials', async () => {
    expectProblem(await send(route, undefined), 401);
  });

  it('answers 401 for a token that is not a valid API key', async () => {
    expectProblem(await send(route, 'fmk_not-a-real-key'), 401);
  });

  it.each(['member', 'viewer'] as const)('refuses a %s with 403', async (role) => {
    expectProblem(await send(route, role === 'member' ? member.token : viewer.token), 403);
  });

  it(`refuses an API key without ${route.scope} with 403`, async () => {
    const problem = expectProblem(await send(route, keys.activityOnly), 403);
    expect(problem.detail).toContain(route.scope);
  });

  it("answers 404 to another organization's member, as for a missing organization", async () => {
    expectProblem(await send(route, outsider.token), 404);
  });

  it("answers 404 to another organization's API key, even one with every scope", async () => {
    expectProblem(await send(route, keys.outsiderAll), 404);
  });
});

describe.each(writeRoutes)('$name ($method) with a read-only key', (route) => {
  it('is refused with 403: api_keys:read does not allow changes', async () => {
    expectProblem(await send(route, keys.readOnly), 403);
  });
});

describe.each(keyRoutes)("$name ($method) on another organization's key", (route) => {
  it('answers 404 exactly as for a missing key', async () => {
    const foreign = expectProblem(await send(route, owner.token, owner.orgId, outsiderKeyId), 404);
    const missing = expectProblem(
      await send(route, owner.token, owner.orgId, 'key_0000000000000000000000zzzz'),
      404,
    );
    expect(foreign.detail).toBe(missing.detail);
    expect(foreign.title).toBe(missing.title);
  });

  it('rejects a malformed key id with 422 and a per-field error', async () => {
    const problem = expectProblem(await send(route, owner.token, owner.orgId, 'not-a-key-id'), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'keyId' })]);
  });
});

describe('admins', () => {
  it('an admin member may list and create keys in the organization', async () => {
    const admin = await newUser('Admin');
    await addMember(owner, owner.orgId, admin, 'admin');
    expect((await call(keysPath(owner.orgId), { token: admin.token })).status).toBe(200);
    const created = await call(keysPath(owner.orgId), {
      token: admin.token,
      body: { name: 'by admin', scopes: ['activity:read'] },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.api_key.created_by).toBe(admin.id);
  });
});
