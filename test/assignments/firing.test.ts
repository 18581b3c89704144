import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assignmentPath,
  call,
  newApiKey,
  newAssignment,
  newGraphPipeline,
  newProject,
  newUser,
} from '../support';
import { cron } from '../support/cron';

const at = (s: string) => Date.parse(s);

afterEach(() => {
  vi.useRealTimers();
});

/** A user, project and pipeline made at `now`, and a key that outlives the clock jumps that follow. */
async function setUp(now: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  const u = await newUser();
  const project = await newProject(u);
  const pipeline = await newGraphPipeline(u);
  const { key } = await newApiKey(u, u.orgId, ['*']);
  const assign = (body: Record<string, unknown>) =>
    newAssignment(u, project.id, { pipeline_id: pipeline.id, ...body });
  const read = async (id: string) => {
    const res = await call(assignmentPath(u, project.id, `/${id}`), { token: key });
    expect(res.status, res.text).toBe(200);
    return res.json;
  };
  return { u, key, project, assign, read };
}

/** The slots claimed for an assignment, oldest first. */
async function slots(assignmentId: string) {
  const { results } = await env.DB.prepare(
    'SELECT scheduled_at, state, run_id FROM pipeline_assignment_slots WHERE assignment_id = ? ORDER BY scheduled_at',
  )
    .bind(assignmentId)
    .all<{ scheduled_at: number; state: string; run_id: string | null }>();
  return results.map((r) => ({ ...r, at: new Date(r.scheduled_at).toISOString() }));
}

describe('the cron trigger', () => {
  it('starts one run for a slot however often and however concurrently the handler fires for it', async () => {
    const t = at('2031-02-03T10:00:30Z');
    const { assign, read } = await setUp(t);
    const a = await assign({ cron: '* * * * *' });
    const slot = at('2031-02-03T10:01:00Z');
    await Promise.all([cron(slot), cron(slot), cron(slot + 5_000)]);
    await cron(slot);
    const claimed = await slots(a.id);
    expect(claimed).toEqual([expect.objectContaining({ at: '2031-02-03T10:01:00.000Z', state: 'started' })]);
    const { results: started } = await env.DB.prepare(
      'SELECT id, trigger FROM runs WHERE idempotency_key LIKE ?',
    )
      .bind(`${a.id}@%`)
      .all<{ id: string; trigger: string }>();
    expect(started).toEqual([{ id: claimed[0]?.run_id, trigger: 'cron' }]);
    vi.setSystemTime(slot + 10_000);
    const view = await read(a.id);
    expect(view.last_run).toMatchObject({
      id: claimed[0]?.run_id,
      status: expect.stringMatching(/^(queued|running|succeeded)$/),
      trigger: 'cron',
      scheduled_at: '2031-02-03T10:01:00.000Z',
    });
  });

  it('does not fire a disabled assignment, nor slots from before it was created', async () => {
    const t = at('2031-02-04T10:00:30Z');
    const { assign } = await setUp(t);
    const off = await assign({ cron: '* * * * *', enabled: false });
    const on = await assign({ cron: '* * * * *' });
    await cron(at('2031-02-04T10:00:45Z'));
    await cron(at('2031-02-04T10:01:00Z'));
    expect(await slots(off.id)).toEqual([]);
    expect((await slots(on.id)).map((s) => s.at)).toEqual(['2031-02-04T10:01:00.000Z']);
  });

  describe('after downtime (hourly, created 03:00:30Z, the handler back at 08:00:30Z)', () => {
    const created = at('2031-03-05T03:00:30Z');
    const back = at('2031-03-05T08:00:30Z');
    const firedAfterDowntime = async (policy: Record<string, unknown>) => {
      const { assign } = await setUp(created);
      const a = await assign({ cron: '0 * * * *', ...policy });
      await cron(back);
      return (await slots(a.id)).map((s) => s.at.slice(11, 16));
    };

    it('skip runs only the slot that is on time', async () => {
      expect(await firedAfterDowntime({ missed_policy: 'skip' })).toEqual(['08:00']);
    });

    it('once runs the most recent missed slot once', async () => {
      expect(await firedAfterDowntime({ missed_policy: 'once' })).toEqual(['07:00', '08:00']);
    });

    it('each runs every missed slot up to the cap, the most recent kept', async () => {
      expect(await firedAfterDowntime({ missed_policy: 'each', missed_cap: 3 })).toEqual([
        '05:00',
        '06:00',
        '07:00',
        '08:00',
      ]);
    });
  });

  describe('in Europe/Berlin across daylight-saving changes (2031: 30 March and 26 October)', () => {
    const firingsAt = async (created: string, cronExpr: string, firings: string[]) => {
      const { assign } = await setUp(at(created));
      const a = await assign({ cron: cronExpr, timezone: 'Europe/Berlin' });
      for (const f of firings) await cron(at(f));
      return (await slots(a.id)).map((s) => s.at);
    };

    it('runs 02:30 once in spring, at 03:00 CEST, since 02:30 does not exist that night', async () => {
      const fired = await firingsAt('2031-03-29T12:00:00Z', '30 2 * * *', [
        '2031-03-30T00:30:00Z', // 01:30 CET
        '2031-03-30T01:00:00Z', // 03:00 CEST: the jump
        '2031-03-30T01:30:00Z', // 03:30 CEST
      ]);
      expect(fired).toEqual(['2031-03-30T01:00:00.000Z']);
    });

    it('runs 02:30 once in autumn, though 02:30 happens twice', async () => {
      const fired = await firingsAt('2031-10-25T12:00:00Z', '30 2 * * *', [
        '2031-10-26T00:30:00Z', // 02:30 CEST
        '2031-10-26T01:30:00Z', // 02:30 CET
      ]);
      expect(fired).toEqual(['2031-10-26T00:30:00.000Z']);
    });

    it('runs an hourly assignment in both of autumn’s 02:00 hours', async () => {
      const fired = await firingsAt('2031-10-25T23:30:00Z', '0 * * * *', [
        '2031-10-26T00:00:00Z', // 02:00 CEST
        '2031-10-26T01:00:00Z', // 02:00 CET
      ]);
      expect(fired).toEqual(['2031-10-26T00:00:00.000Z', '2031-10-26T01:00:00.000Z']);
    });
  });
});

describe('a manual trigger', () => {
  it('starts a run now, once per Idempotency-Key, and shows it as the last run', async () => {
    const u = await newUser();
    const project = await newProject(u);
    const pipeline = await newGraphPipeline(u);
    const a = await newAssignment(u, project.id, {
      pipeline_id: pipeline.id,
      cron: '@yearly',
      enabled: false,
    });
    const trigger = () =>
      call(assignmentPath(u, project.id, `/${a.id}/trigger`), {
        method: 'POST',
        token: u.token,
        headers: { 'Idempotency-Key': 'one-run' },
      });
    const first = await trigger();
    expect(first.status, first.text).toBe(202);
    const again = await trigger();
    expect(again.json.run_id).toBe(first.json.run_id);
    expect(first.json.assignment.last_run).toMatchObject({
      id: first.json.run_id,
      trigger: 'manual',
      scheduled_at: null,
    });
    expect(await slots(a.id)).toEqual([]);
  });
});
