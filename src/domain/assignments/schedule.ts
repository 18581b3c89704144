import { Cron } from 'croner';
import { MINUTE } from '../../lib/time';

/**
 * When an assignment fires: a five-field cron expression (or a nickname such as `@daily`) read in
 * an IANA time zone by croner. Croner gives the daylight-saving behaviour of ISC cron: a time in
 * the hour skipped in spring fires at the first instant after the jump (02:30 → 03:00), a time in
 * the hour repeated in autumn fires once (the first 02:30), and expressions with a wildcard hour
 * (`*\/30 * * * *`) fire in both repeated hours because those are distinct instants.
 */
export interface Schedule {
  cron: string;
  timezone: string;
}

/** What happens to slots that passed while nothing checked (downtime, a disabled trigger). */
export const MISSED_POLICIES = ['skip', 'once', 'each'] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

export interface Policy {
  missed: MissedPolicy;
  /** Under `each`, at most this many missed slots run (the most recent ones). */
  cap: number;
}

/**
 * A slot this much older than the firing that finds it still counts as on time: the trigger fires
 * every minute, a little late at times, and the platform may drop a single firing.
 */
export const ON_TIME_GRACE_MS = 2 * MINUTE;

/** The handler fires once a minute, so sub-minute fields could not be honoured. */
const FIELD_COUNT = 5;

/** Why `cron` is not a usable expression, or null when it is. */
export function cronProblem(cron: string): string | null {
  const text = cron.trim();
  if (!text.startsWith('@') && text.split(/\s+/).length !== FIELD_COUNT)
    return 'Use five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5", or a nickname such as "@daily"';
  try {
    if (!new Cron(text, { paused: true }).nextRun()) return 'This expression never fires';
    return null;
  } catch (err) {
    return `Not a cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/** Why `timezone` is not an IANA time zone name, or null when it is. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return null;
  } catch {
    return `Unknown time zone "${timezone}"; use an IANA name such as "Europe/Berlin" or "UTC"`;
  }
}

const cronOf = (s: Schedule) => new Cron(s.cron.trim(), { timezone: s.timezone, paused: true });

/** The next `n` fire times strictly after `after` (ms). */
export function nextFireTimes(s: Schedule, after: number, n: number): number[] {
  return cronOf(s)
    .nextRuns(n, new Date(after))
    .map((d) => d.getTime());
}

/**
 * The slots to start when the trigger fires at `now`, given that every slot up to `checkedThrough`
 * was already handled: the on-time ones (within `ON_TIME_GRACE_MS`) always, the missed ones older
 * than that as the policy says: none (`skip`), the most recent one (`once`), or each up to the cap,
 * keeping the most recent (`each`). Ascending, each slot once.
 */
export function dueSlots(s: Schedule, policy: Policy, checkedThrough: number, now: number): number[] {
  if (now <= checkedThrough) return [];
  const cron = cronOf(s);
  const onTimeFrom = Math.max(checkedThrough, now - ON_TIME_GRACE_MS);
  const onTime = between(cron, onTimeFrom, now);
  const keep = policy.missed === 'skip' ? 0 : policy.missed === 'once' ? 1 : policy.cap;
  if (onTimeFrom === checkedThrough || keep === 0) return onTime;
  // Missed slots lie in (checkedThrough, onTimeFrom]; walking back from its end makes a long
  // downtime cost only as many steps as slots that may run.
  const missed = cron
    .previousRuns(keep, new Date(onTimeFrom + 1))
    .map((d) => d.getTime())
    .filter((t) => t > checkedThrough)
    .reverse();
  return [...missed, ...onTime];
}

/** Fire times in (from, to]. */
function between(cron: Cron, from: number, to: number): number[] {
  const slots: number[] = [];
  for (let d = cron.nextRun(new Date(from)); d && d.getTime() <= to; d = cron.nextRun(d))
    slots.push(d.getTime());
  return slots;
}
