import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectProblem, newAgent, newUser, type TestUser, unique } from '../support';
import { memoryPath, remember, searchMemory } from './support';

let owner: TestUser;
let agentId: string;
beforeAll(async () => {
  owner = await newUser('Librarian');
  agentId = (await newAgent(owner)).id;
});

describe('memory search', () => {
  it('ranks entries that match more of the words first, and shows highlighted, escaped snippets', async () => {
    const word = unique('quokka');
    const both = await remember(owner, { agent_id: agentId, content: `The ${word} likes <b>green</b> tea` });
    const one = await remember(owner, { agent_id: agentId, content: `A ${word} was seen near the harbour` });
    const tea = await remember(owner, {
      agent_id: agentId,
      content: 'Nothing about the animal here, only tea',
    });

    const hits = await searchMemory(owner, `q=${encodeURIComponent(`${word} tea`)}&agent_id=${agentId}`);
    expect(hits[0]!.entry.id).toBe(both.id);
    expect(hits.map((h) => h.entry.id).sort()).toEqual([both.id, one.id, tea.id].sort());
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThanOrEqual(hits[2]!.score);
    expect(hits[0]!.snippet).toBe(`The <mark>${word}</mark> likes &lt;b&gt;green&lt;/b&gt; <mark>tea</mark>`);
  });

  it('matches tags and the last word as a prefix', async () => {
    const tag = unique('tagword');
    const tagged = await remember(owner, { content: 'Filed under a tag only', tags: [tag] });
    expect((await searchMemory(owner, `q=${tag}`)).map((h) => h.entry.id)).toEqual([tagged.id]);
    // Ending in a digit: the porter stemmer rewrites some endings of the typed prefix too (a final
    // `y` becomes `i`), and `…yology` is then not found.
    const stem = `${unique('prefix')}0`;
    const full = await remember(owner, { content: `${stem}ology is a word` });
    expect((await searchMemory(owner, `q=${stem}`)).map((h) => h.entry.id)).toEqual([full.id]);
  });

  it('filters by agent, shared, kind, tags and time range', async () => {
    const word = unique('filterword');
    const agent = await remember(owner, {
      agent_id: agentId,
      kind: 'event',
      content: `${word} agent`,
      tags: ['a'],
    });
    const shared = await remember(owner, { kind: 'note', content: `${word} shared`, tags: ['b'] });
    const ids = async (q: string) =>
      (await searchMemory(owner, `q=${word}&${q}`)).map((h) => h.entry.id).sort();
    expect(await ids('')).toEqual([agent.id, shared.id].sort());
    expect(await ids(`agent_id=${agentId}`)).toEqual([agent.id]);
    expect(await ids('shared=true')).toEqual([shared.id]);
    expect(await ids('shared=false')).toEqual([agent.id]);
    expect(await ids('kind=note')).toEqual([shared.id]);
    expect(await ids('tags=a')).toEqual([agent.id]);
    expect(await ids(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(
      await ids(`until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`),
    ).toHaveLength(2);
  });

  it('keeps the index in step with corrections and deletions', async () => {
    const before = unique('oldword');
    const after = unique('newword');
    const entry = await remember(owner, { content: `About ${before}` });
    const patch = await call(memoryPath(owner.orgId, `/${entry.id}`), {
      method: 'PATCH',
      token: owner.token,
      body: { content: `About ${after}`, tags: ['renamed'] },
    });
    expect(patch.status, patch.text).toBe(200);
    expect(await searchMemory(owner, `q=${before}`)).toEqual([]);
    expect((await searchMemory(owner, `q=${after}`)).map((h) => h.entry.id)).toEqual([entry.id]);
    await call(memoryPath(owner.orgId, `/${entry.id}`), { method: 'DELETE', token: owner.token });
    expect(await searchMemory(owner, `q=${after}`)).toEqual([]);
  });

  it.each([
    '"unbalanced',
    'NEAR(a b)',
    'a AND OR NOT',
    '* ^ - + :col',
    "'); DROP TABLE memory_entries; --",
    'content:secret',
  ])('treats FTS syntax as text and never fails: %s', async (q) => {
    const res = await call(memoryPath(owner.orgId, `/search?q=${encodeURIComponent(q)}`), {
      token: owner.token,
    });
    expect(res.status, res.text).toBe(200);
  });

  it('refuses a query without a word with 422', async () => {
    const res = await call(memoryPath(owner.orgId, `/search?q=${encodeURIComponent('"*" ()')}`), {
      token: owner.token,
    });
    expect(expectProblem(res, 422).errors[0].path).toBe('q');
  });

  it("never returns another organization's entries", async () => {
    const word = unique('secretword');
    await remember(owner, { content: `${word} belongs to the owner` });
    const stranger = await newUser('Stranger');
    expect(await searchMemory(stranger, `q=${word}`)).toEqual([]);
    expectProblem(await call(memoryPath(owner.orgId, `/search?q=${word}`), { token: stranger.token }), 404);
  });
});

describe('memory stats', () => {
  it('counts entries by kind and agent, shared ones apart, with the latest time', async () => {
    const user = await newUser('Counter');
    const a = await newAgent(user);
    const empty = await call(memoryPath(user.orgId, '/stats'), { token: user.token });
    expect(empty.json).toEqual({
      total: 0,
      by_kind: { fact: 0, preference: 0, event: 0, note: 0 },
      shared: 0,
      by_agent: [],
      latest_at: null,
    });
    await remember(user, { agent_id: a.id, content: 'one' });
    await remember(user, { agent_id: a.id, kind: 'preference', content: 'two' });
    const last = await remember(user, { kind: 'note', content: 'three' });
    const stats = await call(memoryPath(user.orgId, '/stats'), { token: user.token });
    expect(stats.json).toEqual({
      total: 3,
      by_kind: { fact: 1, preference: 1, event: 0, note: 1 },
      shared: 1,
      by_agent: [{ agent_id: a.id, count: 2 }],
      latest_at: last.created_at,
    });
  });
});
