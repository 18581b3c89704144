// The cron triggers of wrangler.toml, and which of them are due in a given minute (UTC, as
// Cloudflare runs them). Covers numbers, `*`, ranges, steps and lists; names (MON, JAN) are not used
// here and are reported rather than guessed.
import { readFileSync } from 'node:fs';

/** The `crons = [...]` of the `[triggers]` table. */
export function readCrons(wranglerToml) {
  const text = readFileSync(wranglerToml, 'utf8');
  const list = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? '';
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

const FIELDS = [
  { min: 0, max: 59, of: (d) => d.getUTCMinutes() },
  { min: 0, max: 23, of: (d) => d.getUTCHours() },
  { min: 1, max: 31, of: (d) => d.getUTCDate() },
  { min: 1, max: 12, of: (d) => d.getUTCMonth() + 1 },
  { min: 0, max: 6, of: (d) => d.getUTCDay() },
];

function parseField(text, { min, max }) {
  const values = new Set();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`unsupported cron field "${text}"`);
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    for (let v = from; v <= to; v += Number(m[4] ?? 1)) values.add(v === 7 && max === 6 ? 0 : v);
  }
  return { any: text === '*', values };
}

/** A predicate telling whether `cron` fires in the minute of a date. */
export function cronMatcher(cron) {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`unsupported cron "${cron}"`);
  const [minute, hour, day, month, weekday] = parts.map((p, i) => parseField(p, FIELDS[i]));
  const has = (field, i, date) => field.values.has(FIELDS[i].of(date));
  return (date) => {
    if (!has(minute, 0, date) || !has(hour, 1, date) || !has(month, 3, date)) return false;
    // As in cron: when both day fields are restricted, either one matching is enough.
    if (!day.any && !weekday.any) return has(day, 2, date) || has(weekday, 4, date);
    return has(day, 2, date) && has(weekday, 4, date);
  };
}
