/**
 * `work`, started once the current task (and its microtasks) is done: a response returned
 * meanwhile is handed to the runtime before any of the work runs.
 */
export const afterThisTask = <T>(work: () => Promise<T>): Promise<T> =>
  new Promise<void>((resolve) => setTimeout(resolve, 0)).then(work);

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : iso(ms));

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
