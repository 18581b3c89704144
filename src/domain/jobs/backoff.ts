import { HOUR } from '../../lib/time';

/** The first retry waits 10 s; each later one twice as long as the one before, at most an hour. */
export const RETRY_BASE_MS = 10_000;
export const RETRY_MAX_MS = HOUR;

/** How long a job waits after its `attempt`-th attempt (1-based) failed. */
export const retryDelayMs = (attempt: number) =>
  Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_MS);
