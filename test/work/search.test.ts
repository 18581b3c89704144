import { describe, expect, it } from 'vitest';
import { call, expectProblem, newProject, newTicket, newUser, orgPath } from '../support';

describe('full-text search', () => {
  it('ranks a title match above a description match, and more matches in a ticket of equal length higher', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const inDescription = await newTicket(u, {
      project_id: p.id,
      title: 'Cleanup',
      description: 'the invoice export is slow',
    });
    const inTitle = await newTicket(u, {
      project_id: p.id,
      title: 'Invoice export',
      description: 'customers complain about it daily',
    });
    const both = await newTicket(u, {
      project_id: p.id,
      title: 'Invoice export',
      description: 'invoice export fails every day',
    });
    // Enough other tickets that the words are rare, as in a real project (bm25 weighs rarity).
    await call(orgPath(u.orgId, '/tickets/bulk'), {
      token: u.token,
      body: {
        project_id: p.id,
        tickets: Array.from({ length: 12 }, (_, i) => ({ title: `Unrelated ${i}` })),
      },
    });
    const res = await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=invoice export`), {
      token: u.token,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((t: { id: string }) => t.id)).toEqual([both.id, inTitle.id, inDescription.id]);
  });

  it('matches word stems and prefixes, follows edits and deletions, and combines with filters', async () => {
    const u = await newUser();
    const p = await newProject(u);
    const t = await newTicket(u, { project_id: p.id, title: 'Deploying the workers', priority: 'P1' });
    const ids = async (q: string) =>
      (
        await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=${encodeURIComponent(q)}`), {
          token: u.token,
        })
      ).json.data.map((x: { id: string }) => x.id);
    expect(await ids('deploy')).toEqual([t.id]);
    expect(await ids('work')).toEqual([t.id]);
    expect(await ids('deploy" (')).toEqual([t.id]);
    expect(
      (await call(orgPath(u.orgId, `/tickets?project_id=${p.id}&q=deploy&priority=P3`), { token: u.token }))
        .json.data,
    ).toEqual([]);
    await call(orgPath(u.orgId, `/tickets/${t.id}`), {
      method: 'PATCH',
      token: u.token,
      body: { title: 'Rollback plan' },
    });
    expect(await ids('deploy')).toEqual([]);
    expect(await ids('rollback')).toEqual([t.id]);
    await call(orgPath(u.orgId, `/tickets/${t.id}`), { method: 'DELETE', token: u.token });
    expect(await ids('rollback')).toEqual([]);
    expectProblem(await call(orgPath(u.orgId, '/tickets?q=%20%21'), { token: u.token }), 422);
  });

  it('pages search results by rank with a cursor and never shows another organization’s tickets', async () => {
    const u = await newUser();
    const other = await newUser();
    const p = await newProject(u);
    for (let i = 0; i < 5; i++)
      await newTicket(u, { project_id: p.id, title: `Kafka consumer ${'lag '.repeat(i)}` });
    await newTicket(other, { title: 'Kafka consumer secret' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof call>> = await call(
        orgPath(u.orgId, `/tickets?q=kafka&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        { token: u.token },
      );
      seen.push(...res.json.data.map((x: { id: string }) => x.id));
      cursor = res.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
