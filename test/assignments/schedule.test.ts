import { describe, expect, it } from 'vitest';
import {
  cronProblem,
  dueSlots,
  nextFireTimes,
  ON_TIME_GRACE_MS,
  timezoneProblem,
} from '../../src/domain/assignments/schedule';

const at = (s: string) => Date.parse(s);
const isos = (slots: number[]) => slots.map((t) => new Date(t).toISOString());
const berlin = (cron: string) => ({ cron, timezone: 'Europe/Berlin' });
const skip = { missed: 'skip', cap: 10 } as const;

describe('cron and time zone validation', () => {
  it('accepts five-field expressions and nicknames', () => {
    expect(cronProblem('*/15 9-17 * * 1-5')).toBeNull();
    expect(cronProblem('@daily')).toBeNull();
  });

  it('refuses seconds, missing fields and out-of-range values with a message saying what to do', () => {
    expect(cronProblem('0 * * * * *')).toMatch(/five fields/);
    expect(cronProblem('* * * *')).toMatch(/five fields/);
    expect(cronProblem('61 * * * *')).toMatch(/minute: 61/);
  });

  it('refuses a name that is not an IANA time zone', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeNull();
    expect(timezoneProblem('UTC')).toBeNull();
    expect(timezoneProblem('Mars/Olympus')).toMatch(/Unknown time zone "Mars\/Olympus"/);
  });
});

describe('fire times in a time zone', () => {
  it('reads the expression in the assignment’s zone', () => {
    const times = nextFireTimes(
      { cron: '0 9 * * *', timezone: 'America/New_York' },
      at('2026-01-10T00:00:00Z'),
      2,
    );
    expect(isos(times)).toEqual(['2026-01-10T14:00:00.000Z', '2026-01-11T14:00:00.000Z']);
  });

  it('fires a daily time inside the hour skipped in spring once, right after the jump (Berlin, 29 March)', () => {
    const times = nextFireTimes(berlin('30 2 * * *'), at('2026-03-28T12:00:00Z'), 3);
    // 03:00 CEST on the 29th, then 02:30 CEST again.
    expect(isos(times)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('fires a daily time inside the hour repeated in autumn once, at its first occurrence (Berlin, 25 October)', () => {
    const times = nextFireTimes(berlin('30 2 * * *'), at('2026-10-24T12:00:00Z'), 2);
    // 02:30 CEST (00:30Z); the second 02:30 (CET, 01:30Z) does not fire.
    expect(isos(times)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('fires an hourly expression in both repeated hours, which are distinct instants', () => {
    const times = nextFireTimes(berlin('0 * * * *'), at('2026-10-24T23:30:00Z'), 4);
    expect(isos(times)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });
});

describe('due slots', () => {
  it('starts the slot of the firing that reaches it, and nothing when fired again for the same time', () => {
    const now = at('2026-05-01T10:00:00Z');
    expect(isos(dueSlots(berlin('0 * * * *'), skip, now - 60_000, now))).toEqual([
      '2026-05-01T10:00:00.000Z',
    ]);
    expect(dueSlots(berlin('0 * * * *'), skip, now, now)).toEqual([]);
  });

  it('still starts a slot when its firing came late or the one before was dropped', () => {
    const slot = at('2026-05-01T10:00:00Z');
    expect(dueSlots(berlin('0 * * * *'), skip, slot - 60_000, slot + ON_TIME_GRACE_MS - 1000)).toEqual([
      slot,
    ]);
  });

  it('walks through the spring gap with one slot for the skipped hour', () => {
    const slots = dueSlots(
      berlin('*/30 * * * *'),
      skip,
      at('2026-03-29T00:29:00Z'),
      at('2026-03-29T01:00:30Z'),
    );
    // 01:30 CET was more than the grace period ago, 03:00 CEST is on time.
    expect(isos(slots)).toEqual(['2026-03-29T01:00:00.000Z']);
  });

  describe('after downtime (hourly, last checked 03:00Z, back at 08:00:30Z)', () => {
    const hourly = { cron: '0 * * * *', timezone: 'UTC' };
    const checked = at('2026-05-01T03:00:00Z');
    const now = at('2026-05-01T08:00:30Z');

    it('skip: only the on-time slot runs', () => {
      expect(isos(dueSlots(hourly, skip, checked, now))).toEqual(['2026-05-01T08:00:00.000Z']);
    });

    it('once: the most recent missed slot runs once, then the on-time one', () => {
      expect(isos(dueSlots(hourly, { missed: 'once', cap: 10 }, checked, now))).toEqual([
        '2026-05-01T07:00:00.000Z',
        '2026-05-01T08:00:00.000Z',
      ]);
    });

    it('each: every missed slot runs when under the cap', () => {
      expect(isos(dueSlots(hourly, { missed: 'each', cap: 10 }, checked, now))).toEqual([
        '2026-05-01T04:00:00.000Z',
        '2026-05-01T05:00:00.000Z',
        '2026-05-01T06:00:00.000Z',
        '2026-05-01T07:00:00.000Z',
        '2026-05-01T08:00:00.000Z',
      ]);
    });

    it('each: over the cap, the most recent missed slots run', () => {
      expect(isos(dueSlots(hourly, { missed: 'each', cap: 2 }, checked, now))).toEqual([
        '2026-05-01T06:00:00.000Z',
        '2026-05-01T07:00:00.000Z',
        '2026-05-01T08:00:00.000Z',
      ]);
    });

    it('a week of downtime on a per-minute schedule costs only the cap', () => {
      const slots = dueSlots(
        { cron: '* * * * *', timezone: 'UTC' },
        { missed: 'each', cap: 3 },
        checked - 7 * 86_400_000,
        now,
      );
      // 07:59 and 08:00 are within the grace period; 07:56–07:58 are the three most recent missed.
      expect(isos(slots)).toEqual([
        '2026-05-01T07:56:00.000Z',
        '2026-05-01T07:57:00.000Z',
        '2026-05-01T07:58:00.000Z',
        '2026-05-01T07:59:00.000Z',
        '2026-05-01T08:00:00.000Z',
      ]);
    });
  });
});
