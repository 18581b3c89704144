import { SELF } from 'cloudflare:test';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { addMember, call, expectProblem, newApiKey, newUser, type TestUser, unique } from '../../support';

/**
 * Every operation under `/orgs/{orgId}` in the OpenAPI document, checked for tenancy and access as
 * it declares them (`x-foreman-access`). A route added later is covered without a test of its own.
 *
 * The operations are dealt round-robin to `SHARDS` test files (`shard-<n>.test.ts`), each run in a
 * fresh workerd: under vitest-pool-workers every `SELF.fetch` gets slower as an instance serves
 * more of them (cloudflare/workers-sdk#15446), so one file of ~2,500 requests took 13 minutes.
 */

type Schema = Record<string, any>;
interface Operation {
  name: string;
  method: string;
  path: string;
  access: { role: 'owner' | 'admin' | 'member' | 'viewer'; scope: string | null };
  /** Path parameters besides `orgId`, with the id prefix of their example. */
  ids: { name: string; prefix: string }[];
  body: { type: string; schema: Schema } | null;
  statuses: string[];
  op: Schema;
}

// Generated from the app itself, synchronously: test names are collected before the Worker can be called.
const doc: Schema = createApp().getOpenAPI31Document({
  openapi: '3.1.0',
  info: { title: 'Foreman', version: 'test' },
});

const resolve = (s: Schema): Schema =>
  s?.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()]) : s;

const operations: Operation[] = Object.entries<Schema>(doc.paths)
  .filter(([path]) => path.startsWith('/api/v1/orgs/{orgId}'))
  .flatMap(([path, item]) =>
    Object.entries<Schema>(item).map(([method, op]) => {
      const [type, content] = Object.entries<Schema>(op.requestBody?.content ?? {})[0] ?? [];
      return {
        name: `${method.toUpperCase()} ${path.slice('/api/v1/orgs/{orgId}'.length) || '/'} (${op.operationId})`,
        method: method.toUpperCase(),
        path,
        access: op['x-foreman-access'],
        ids: (op.parameters ?? [])
          .filter((p: Schema) => p.in === 'path' && p.name !== 'orgId')
          .map((p: Schema) => ({
            name: p.name,
            prefix: String(p.schema?.example ?? '').split('_')[0] || 'x',
          })),
        body: type && content ? { type, schema: resolve(content.schema) } : null,
        statuses: Object.keys(op.responses),
        op,
      };
    }),
  );

const MISSING_ORG = 'org_0000000000zzzzzzzzzzzzzzzz';
const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };
const creates = operations.filter((o) => o.method === 'POST' && o.statuses.includes('201'));

/** A value the schema accepts, as small as it can be: enough to get past validation to the handler. */
function sample(schema: Schema): unknown {
  const s = resolve(schema);
  if (!s) return 'x';
  if (s.anyOf || s.oneOf) return sample((s.anyOf ?? s.oneOf)[0]);
  if (s.allOf) return sample(s.allOf[0]);
  if (s.enum) return s.enum.find((v: unknown) => v !== null);
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      if (!s.properties && typeof s.additionalProperties === 'object')
        return { KEY: sample(s.additionalProperties) };
      const keys: string[] = s.required?.length ? s.required : Object.keys(s.properties ?? {}).slice(0, 1);
      return Object.fromEntries(keys.map((k) => [k, sample(s.properties?.[k] ?? {})]));
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'email') return `${unique('m')}@example.com`;
      if (s.format === 'uri' || /url/i.test(s.description ?? '')) return 'https://example.com/x';
      if (s.format === 'date-time') return new Date().toISOString();
      return 'abc'.padEnd(s.minLength ?? 0, 'x');
    default:
      return {};
  }
}

export const SHARDS = 8;

let a: TestUser;
let b: TestUser;
let viewer: TestUser;
/** Keys of organization A that lack a given scope: one with only `activity:read`, one with only `jobs:read`. */
let keys: { activity: string; jobs: string };
/** Ids of real resources in organization B, by path parameter name. */
const foreign: Record<string, string> = {};

async function setUp() {
  [a, b, viewer] = await Promise.all([newUser('A'), newUser('B'), newUser('Viewer')]);
  const [activityKey, jobsKey] = await Promise.all([
    newApiKey(a, a.orgId, ['activity:read']),
    newApiKey(a, a.orgId, ['jobs:read']),
    addMember(a, a.orgId, viewer, 'viewer'),
  ]);
  keys = { activity: activityKey.key, jobs: jobsKey.key };

  const inB = async (rest: string, body?: unknown) => {
    const res = await call(`/api/v1/orgs/${b.orgId}${rest}`, { token: b.token, body });
    expect(res.status, `${rest}: ${res.text}`).toBeLessThan(300);
    return res.json;
  };
  const project = await inB('/projects', { name: unique('p') });
  const [ticket, other, agent, job, key, item, team, invite, roles, skill, rule, template, mcp] =
    await Promise.all([
      inB('/tickets', { title: 't', project_id: project.id }),
      inB('/tickets', { title: 'u', project_id: project.id }),
      inB('/agents', { name: unique('agent') }),
      inB('/jobs', { type: 'x', payload: {} }),
      newApiKey(b, b.orgId, ['*']),
      inB('/vault/items', { name: unique('item'), value: 'secret' }),
      inB('/teams', { name: unique('team') }),
      inB('/invites', { email: `${unique('i')}@example.com`, role: 'member' }),
      inB('/roles'),
      inB('/skills', { name: unique('skill'), instructions: 'Do it.' }),
      inB('/rules', { rule: 'Be kind.' }),
      inB('/agent-templates', { name: 'T', slug: unique('tpl') }),
      inB('/mcp-servers', { name: unique('mcp'), url: 'https://mcp.example.com/mcp' }),
    ]);
  const comment = await inB(`/tickets/${ticket.id}/comments`, { body: 'c' });
  const assignment = await inB('/role-assignments', { role_id: roles.data[0].id, agent_id: agent.id });
  Object.assign(foreign, {
    projectId: project.id,
    ticketId: ticket.id,
    dependsOnId: other.id,
    commentId: comment.id,
    agentId: agent.id,
    jobId: job.id,
    keyId: key.record.id,
    itemId: item.id,
    teamId: team.id,
    inviteId: invite.invite.id,
    userId: b.id,
    roleId: roles.data[0].id,
    skillId: skill.id,
    ruleId: rule.id,
    templateId: template.id,
    serverId: mcp.id,
    mcpServerId: mcp.id,
    assignmentId: assignment.id,
  });
}

/** A well-formed id of the parameter's type that names nothing. */
const missing = (id: Operation['ids'][number]) =>
  id.prefix === 'x' ? 'missing' : `${id.prefix}_0000000000zzzzzzzzzzzzzzzz`;

function pathOf(o: Operation, orgId: string, idOf: (id: Operation['ids'][number]) => string) {
  let path = o.path.replace('{orgId}', orgId);
  for (const id of o.ids) path = path.replace(`{${id.name}}`, idOf(id));
  return path;
}

/** Sends the operation and checks that whatever it answers is a status its document lists. */
async function send(o: Operation, path: string, token: string | undefined, body: unknown = sampleBody(o)) {
  const res =
    body instanceof FormData
      ? await SELF.fetch(`https://foreman.test${path}`, {
          method: o.method,
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          body,
        }).then(async (r) => {
          const text = await r.text();
          return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : null };
        })
      : await call(path, { method: o.method, token, body });
  expect(o.statuses, `${o.name} answered an undocumented ${res.status}: ${res.text}`).toContain(
    String(res.status),
  );
  return res;
}

function sampleBody(o: Operation): unknown {
  if (!o.body) return undefined;
  if (o.body.type === 'multipart/form-data') {
    const form = new FormData();
    form.set('file', new File(['# Notes\n'], 'notes.md', { type: 'text/markdown' }));
    return form;
  }
  return sample(o.body.schema);
}

/** A problem as a client compares it: without what names this request or these ids. */
function comparable(problem: Schema, ids: string[]) {
  const { request_id: _r, instance: _i, ...rest } = problem;
  let text = JSON.stringify(rest);
  for (const id of ids) text = text.replaceAll(id, '{id}');
  return JSON.parse(text);
}

/** Registers the matrix's tests for the operations dealt to shard `shard` (1-based). */
export function accessMatrix(shard: number) {
  const mine = operations.filter((_, i) => i % SHARDS === shard - 1);
  beforeAll(setUp);

  it('finds its share of the organization-scoped operations, each declaring its access', () => {
    expect(operations.length).toBeGreaterThan(100);
    expect(mine.length).toBeGreaterThanOrEqual(Math.floor(operations.length / SHARDS));
    for (const o of mine) {
      expect(o.access, o.name).toMatchObject({
        role: expect.stringMatching(/^(owner|admin|member|viewer)$/),
      });
    }
  });

  // One test per operation: the matrix is hundreds of requests, and each test has a fixed cost.
  it.each(mine)('$name: 401, 404 across organizations, 403 by role and scope, 422', async (o) => {
    expectProblem(await send(o, pathOf(o, a.orgId, missing), undefined), 401);

    const otherOrg = await send(o, pathOf(o, b.orgId, missing), a.token);
    const noOrg = await send(o, pathOf(o, MISSING_ORG, missing), a.token);
    expectProblem(otherOrg, 404);
    expectProblem(noOrg, 404);
    expect(comparable(otherOrg.json, [b.orgId])).toEqual(comparable(noOrg.json, [MISSING_ORG]));

    if (o.ids.length > 0) {
      const theirs = await send(
        o,
        pathOf(o, a.orgId, (id) => foreign[id.name] ?? missing(id)),
        a.token,
      );
      const none = await send(o, pathOf(o, a.orgId, missing), a.token);
      expectProblem(theirs, 404);
      expectProblem(none, 404);
      const ids = o.ids.map((id) => foreign[id.name]).filter((id): id is string => !!id);
      expect(comparable(theirs.json, ids)).toEqual(comparable(none.json, o.ids.map(missing)));
    }

    const key = o.access.scope === 'activity:read' ? keys.jobs : keys.activity;
    expectProblem(await send(o, pathOf(o, a.orgId, missing), key), 403);

    if (o.method !== 'GET' && RANK[o.access.role] > RANK.viewer)
      expectProblem(await send(o, pathOf(o, a.orgId, missing), viewer.token), 403);

    if (o.body?.type === 'application/json')
      expectProblem(await send(o, pathOf(o, a.orgId, missing), a.token, [42]), 422);
  });

  it.each(mine.filter((o) => creates.includes(o)))(
    '$name takes an Idempotency-Key and refuses unknown fields naming them',
    async (o) => {
      const header = (o.op.parameters ?? []).find((p: Schema) => p.in === 'header');
      expect(header?.name).toBe('idempotency-key');
      if (o.body?.type !== 'application/json') return;
      const res = await send(o, pathOf(o, a.orgId, missing), a.token, { unexpected_field: 1 });
      expectProblem(res, 422);
      expect(res.text).toContain('unexpected_field');
    },
  );
}
