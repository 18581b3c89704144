import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../src/domain/auth/shared-reads';

/** A read that settles when the test says so, counting how often it was started. */
function pending() {
  let started = 0;
  let finish: (rows: string[]) => void = () => {};
  return {
    start: () => {
      started++;
      return new Promise<string[]>((resolve) => (finish = resolve));
    },
    finish: (rows: string[]) => finish(rows),
    started: () => started,
  };
}

describe('SharedReads', () => {
  it('lets overlapping reads of the same credential share one', async () => {
    const reads = new SharedReads<string[]>();
    const read = pending();
    const a = reads.read('sess usr', [0], read.start);
    const b = reads.read('sess usr', [0], read.start);
    read.finish(['open']);
    expect(await a).toEqual(['open']);
    expect(await b).toEqual(['open']);
    expect(read.started()).toBe(1);
  });

  it('starts a new read once the previous one has settled', async () => {
    const reads = new SharedReads<string[]>();
    const read = pending();
    const first = reads.read('k', [0], read.start);
    read.finish(['one']);
    await first;
    const second = reads.read('k', [0], read.start);
    read.finish(['two']);
    expect(await second).toEqual(['two']);
    expect(read.started()).toBe(2);
  });

  it('does not join a read that started before a revocation in this isolate', async () => {
    const reads = new SharedReads<string[]>();
    const read = pending();
    const before = reads.read('k', [0, 3], read.start);
    read.finish(['open']);
    const after = reads.read('k', [1, 3], read.start);
    read.finish(['closed']);
    expect(await before).toEqual(['open']);
    expect(await after).toEqual(['closed']);
    expect(read.started()).toBe(2);
  });

  it('does not share reads of different credentials', async () => {
    const reads = new SharedReads<string[]>();
    const read = pending();
    reads.read('a', [0], read.start);
    reads.read('b', [0], read.start);
    expect(read.started()).toBe(2);
  });

  it('passes a failed read to every request waiting for it, then reads again', async () => {
    const reads = new SharedReads<string[]>();
    let started = 0;
    const failing = () => {
      started++;
      return Promise.reject(new Error('D1 unavailable'));
    };
    const a = reads.read('k', [0], failing);
    const b = reads.read('k', [0], failing);
    await expect(a).rejects.toThrow('D1 unavailable');
    await expect(b).rejects.toThrow('D1 unavailable');
    await expect(reads.read('k', [0], failing)).rejects.toThrow('D1 unavailable');
    expect(started).toBe(2);
  });
});
