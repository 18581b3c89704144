import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, chat, chatPath, expectProblem, newChatSession, newUser, type TestUser } from '../support';

async function upload(
  u: TestUser,
  sessionId: string,
  name: string,
  type: string,
  content: string | Uint8Array,
) {
  const form = new FormData();
  form.append('file', new File([content], name, { type }));
  const res = await SELF.fetch(`https://foreman.test${chatPath(u.orgId, `/${sessionId}/attachments`)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${u.token}` },
    body: form,
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('chat attachments', () => {
  it('a text file attached to a message is part of the model’s context for it', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const up = await upload(u, s.id, 'notes.md', 'text/markdown', '# Launch\nShip on Friday');
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({ name: 'notes.md', content_type: 'text/markdown', size: 23 });
    const { all } = await chat(u, s.id, 'read this', { attachments: [up.json.id] });
    // The development model echoes the user message it was given, attachment included.
    expect(all.map((f) => f.data.content ?? '').join('')).toContain('Ship on Friday');
    const msgs = await call(chatPath(u.orgId, `/${s.id}/messages`), { token: u.token });
    expect(msgs.json.data[0].attachments).toEqual([expect.objectContaining({ name: 'notes.md', size: 23 })]);
  });

  it('refuses other types, oversized files and attachments of another session', async () => {
    const u = await newUser();
    const s = await newChatSession(u);
    const other = await newChatSession(u);
    expect((await upload(u, s.id, 'a.png', 'image/png', new Uint8Array([0x89, 0x50]))).status).toBe(415);
    expect((await upload(u, s.id, 'big.txt', 'text/plain', 'x'.repeat(300 * 1024))).status).toBe(413);
    const up = await upload(u, other.id, 'a.txt', 'text/plain', 'hello');
    const res = await call(chatPath(u.orgId, `/${s.id}/messages`), {
      token: u.token,
      body: { content: 'see file', attachments: [up.json.id] },
    });
    expectProblem(res, 422);
  });
});
