import { AsyncLocalStorage } from 'node:async_hooks';

/** What a request spends outside the Worker: the figures its `Server-Timing` header reports. */
export class RequestTiming {
  readonly startedAt = performance.now();
  readonly d1 = { count: 0, ms: 0 };
  readonly do = { count: 0, ms: 0 };

  /** `total;dur=…, d1;desc="2 round trips";dur=…, do;desc="1 call";dur=…` (W3C Server Timing). */
  header(now = performance.now()) {
    const ms = (v: number) => (Math.round(v * 10) / 10).toString();
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    return (
      `total;dur=${ms(now - this.startedAt)}, ` +
      `d1;desc="${plural(this.d1.count, 'round trip', 'round trips')}";dur=${ms(this.d1.ms)}, ` +
      `do;desc="${plural(this.do.count, 'call', 'calls')}";dur=${ms(this.do.ms)}`
    );
  }
}

/**
 * The timing of the request being handled. Bindings are shared by every request of an isolate
 * (and the drizzle client over them is cached), so calls find their request here, not in a closure.
 */
const current = new AsyncLocalStorage<RequestTiming | undefined>();

export const withTiming = <T>(timing: RequestTiming, fn: () => T): T => current.run(timing, fn);

/** Work a request leaves to run after its response (`waitUntil`) is not part of its timing. */
export const untimed = <T>(fn: () => T): T => current.run(undefined, fn);

/** Counts one call to D1 or a Durable Object against the current request, if any, and times it. */
export async function measure<T>(kind: 'd1' | 'do', call: () => Promise<T>): Promise<T> {
  const timing = current.getStore();
  if (!timing) return call();
  const figures = timing[kind];
  figures.count++;
  const started = performance.now();
  try {
    return await call();
  } finally {
    figures.ms += performance.now() - started;
  }
}
