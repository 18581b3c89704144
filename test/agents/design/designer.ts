import { SELF } from 'cloudflare:test';
import { beforeAll } from 'vitest';
import { call, newUser, orgPath, type TestUser } from '../../support';

/** The organization owner who designs agents in a file's tests: signed up once per file. */
export let owner: TestUser;

export function signUpDesigner() {
  beforeAll(async () => {
    owner = await newUser('Designer');
  });
}

export const get = (rest: string, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { token: user.token });
export const post = (rest: string, body: unknown, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { token: user.token, body });
export const patch = (rest: string, body: unknown, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { method: 'PATCH', token: user.token, body });
export const del = (rest: string, user = owner) =>
  call(orgPath(user.orgId, `/${rest}`), { method: 'DELETE', token: user.token });

export async function upload(rest: string, fileName: string, text: string, user = owner) {
  const form = new FormData();
  form.append('file', new File([text], fileName, { type: 'text/markdown' }));
  const res = await SELF.fetch(`https://foreman.test${orgPath(user.orgId, `/${rest}`)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}` },
    body: form,
  });
  return { status: res.status, json: (await res.json()) as any };
}

export async function systemRole(slug: string, user = owner) {
  const res = await get('roles?limit=100', user);
  return res.json.data.find((r: any) => r.slug === slug);
}
