import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { addMember, call, expectProblem, newProject, newUser, orgPath, type TestUser } from '../support';

async function upload(u: TestUser, projectId: string, file: File, name?: string, token = u.token) {
  const form = new FormData();
  form.set('file', file);
  if (name) form.set('name', name);
  const res = await SELF.fetch(
    `https://foreman.test${orgPath(u.orgId, `/projects/${projectId}/documents`)}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    },
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null, text };
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);

describe('documents', () => {
  it('uploads a text document, lists it and downloads it with its content type', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const res = await upload(u, p.id, new File(['# Plan\nShip it.'], 'plan.md', { type: 'text/markdown' }));
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({
      name: 'plan.md',
      content_type: 'text/markdown',
      size: 15,
      project_id: p.id,
    });
    const list = await call(orgPath(u.orgId, `/projects/${p.id}/documents`), { token: u.token });
    expect(list.json.data.map((d: { id: string }) => d.id)).toEqual([res.json.id]);
    const dl = await SELF.fetch(
      `https://foreman.test${orgPath(u.orgId, `/projects/${p.id}/documents/${res.json.id}/download`)}`,
      {
        headers: { Authorization: `Bearer ${u.token}` },
      },
    );
    expect(dl.status).toBe(200);
    expect(dl.headers.get('Content-Type')).toBe('text/markdown');
    expect(await dl.text()).toBe('# Plan\nShip it.');
    const settings = await call(orgPath(u.orgId, `/projects/${p.id}/settings`), { token: u.token });
    expect(settings.json.documents).toEqual({ count: 1, bytes: 15 });
  });

  it('keeps binary documents byte for byte and refuses to read them as text', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const res = await upload(u, p.id, new File([PNG], 'dot.png', { type: 'image/png' }), 'Logo');
    expect(res.status, res.text).toBe(201);
    expect(res.json.name).toBe('Logo');
    const dl = await SELF.fetch(
      `https://foreman.test${orgPath(u.orgId, `/projects/${p.id}/documents/${res.json.id}/download`)}`,
      {
        headers: { Authorization: `Bearer ${u.token}` },
      },
    );
    expect(dl.headers.get('Content-Type')).toBe('image/png');
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(PNG);
    expectProblem(
      await call(orgPath(u.orgId, `/projects/${p.id}/documents/${res.json.id}/content`), { token: u.token }),
      409,
    );
  });

  it('reads and replaces the content of a text document, removing the old bytes', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const doc = (await upload(u, p.id, new File(['v1'], 'notes.txt', { type: 'text/plain' }))).json;
    const before = await env.DOCUMENTS.list({ prefix: `${u.orgId}/${p.id}/${doc.id}/` });
    const read = await call(orgPath(u.orgId, `/projects/${p.id}/documents/${doc.id}/content`), {
      token: u.token,
    });
    expect(read.json.content).toBe('v1');
    const put = await call(orgPath(u.orgId, `/projects/${p.id}/documents/${doc.id}/content`), {
      method: 'PUT',
      token: u.token,
      body: { content: 'version two' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json.size).toBe(11);
    expect(
      (await call(orgPath(u.orgId, `/projects/${p.id}/documents/${doc.id}/content`), { token: u.token })).json
        .content,
    ).toBe('version two');
    const after = await env.DOCUMENTS.list({ prefix: `${u.orgId}/${p.id}/${doc.id}/` });
    expect(after.objects).toHaveLength(1);
    expect(after.objects[0]!.key).not.toBe(before.objects[0]!.key);
  });

  it('refuses content that does not match its type, unknown types and oversized files', async () => {
    const u = await newUser();
    const p = await newProject(u);
    expectProblem(await upload(u, p.id, new File(['not a png'], 'x.png', { type: 'image/png' })), 422);
    expectProblem(await upload(u, p.id, new File(['{broken'], 'x.json', { type: 'application/json' })), 422);
    expectProblem(
      await upload(u, p.id, new File([new Uint8Array([0xff, 0xfe, 0xfd])], 'x.txt', { type: 'text/plain' })),
      422,
    );
    expectProblem(
      await upload(u, p.id, new File(['MZ'], 'x.exe', { type: 'application/x-msdownload' })),
      415,
    );
    expectProblem(
      await upload(
        u,
        p.id,
        new File([new Uint8Array(950 * 1024).fill(65)], 'big.txt', { type: 'text/plain' }),
      ),
      413,
    );
    const noFile = await SELF.fetch(
      `https://foreman.test${orgPath(u.orgId, `/projects/${p.id}/documents`)}`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${u.token}` },
        body: (() => {
          const f = new FormData();
          f.set('name', 'x');
          return f;
        })(),
      },
    );
    expect(noFile.status).toBe(422);
    await noFile.text();
    const list = await env.DOCUMENTS.list({ prefix: `${u.orgId}/` });
    expect(list.objects).toHaveLength(0);
  });

  it('deletes a document and its bytes, and a project’s documents with the project', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const a = (await upload(u, p.id, new File(['a'], 'a.txt', { type: 'text/plain' }))).json;
    await upload(u, p.id, new File(['b'], 'b.txt', { type: 'text/plain' }));
    const del = await call(orgPath(u.orgId, `/projects/${p.id}/documents/${a.id}`), {
      method: 'DELETE',
      token: u.token,
    });
    expect(del.status).toBe(204);
    expectProblem(
      await call(orgPath(u.orgId, `/projects/${p.id}/documents/${a.id}`), { token: u.token }),
      404,
    );
    expect((await env.DOCUMENTS.list({ prefix: `${u.orgId}/${p.id}/` })).objects).toHaveLength(1);
    await call(orgPath(u.orgId, `/projects/${p.id}`), { method: 'DELETE', token: u.token });
    expect((await env.DOCUMENTS.list({ prefix: `${u.orgId}/${p.id}/` })).objects).toHaveLength(0);
  });

  it('lets viewers read but not upload, and answers 404 across organizations', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const stranger = await newUser();
    await addMember(owner, owner.orgId, viewer, 'viewer');
    const p = await newProject(owner);
    const doc = (await upload(owner, p.id, new File(['x'], 'x.txt', { type: 'text/plain' }))).json;
    expect(
      (await call(orgPath(owner.orgId, `/projects/${p.id}/documents/${doc.id}`), { token: viewer.token }))
        .status,
    ).toBe(200);
    expectProblem(
      await upload(owner, p.id, new File(['y'], 'y.txt', { type: 'text/plain' }), undefined, viewer.token),
      403,
    );
    expectProblem(await call(orgPath(owner.orgId, `/projects/${p.id}/documents`)), 401);
    expectProblem(
      await call(orgPath(stranger.orgId, `/projects/${p.id}/documents/${doc.id}`), { token: stranger.token }),
      404,
    );
    expectProblem(
      await call(orgPath(stranger.orgId, `/projects/${p.id}/documents/${doc.id}/download`), {
        token: stranger.token,
      }),
      404,
    );
    expectProblem(await upload(stranger, p.id, new File(['y'], 'y.txt', { type: 'text/plain' })), 404);
  });
});
