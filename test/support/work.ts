import { expect } from 'vitest';
import { call } from './http';
import { orgPath } from './paths';
import type { TestUser } from './users';

export async function newProject(u: TestUser, name = 'Project') {
  const res = await call(orgPath(u.orgId, '/projects'), { token: u.token, body: { name } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; name: string };
}

export async function newTicket(u: TestUser, body: Record<string, unknown>) {
  const res = await call(orgPath(u.orgId, '/tickets'), {
    token: u.token,
    body: { title: 'A ticket', ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; status: string; project_id: string; [k: string]: unknown };
}

export async function dependOn(u: TestUser, ticketId: string, dependsOnId: string, status = 201) {
  const res = await call(orgPath(u.orgId, `/tickets/${ticketId}/dependencies`), {
    token: u.token,
    body: { depends_on_id: dependsOnId },
  });
  expect(res.status, res.text).toBe(status);
  return res;
}

export async function transition(u: TestUser, ticketId: string, status: string) {
  return call(orgPath(u.orgId, `/tickets/${ticketId}/transition`), { token: u.token, body: { status } });
}

/** Takes a ticket through the workflow to done. */
export async function finish(u: TestUser, ticketId: string) {
  for (const s of ['in_progress', 'review', 'done']) {
    const res = await transition(u, ticketId, s);
    expect(res.status, res.text).toBe(200);
  }
}
