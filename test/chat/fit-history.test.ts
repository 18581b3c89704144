import { describe, expect, it } from 'vitest';
import { fitHistory, type HistoryMessage } from '../../src/domain/chat/context';

const message = (i: number, words: number): HistoryMessage => ({
  id: `msg_${i}`,
  role: i % 2 === 0 ? 'user' : 'assistant',
  content: 'word '.repeat(words).trim(),
  status: 'complete',
  measured: { tokens: words, chars: 5 * words - 1 },
});

/** Newest first, counting how many messages were read. */
function* newestFirst(count: number, words: number, read: { n: number }) {
  for (let i = count - 1; i >= 0; i--) {
    read.n++;
    yield message(i, words);
  }
}

describe('fitting history to a budget', () => {
  it('keeps the newest messages that fit, oldest first, and reads no further back', () => {
    const read = { n: 0 };
    const fitted = fitHistory(newestFirst(10_000, 10, read), 35);
    expect(fitted.full).toBe(true);
    expect(fitted.messages.map((m) => m.id)).toEqual(['msg_9997', 'msg_9998', 'msg_9999']);
    expect(read.n).toBe(4);
  });

  it('says nothing was left out when the whole history fits', () => {
    const read = { n: 0 };
    const fitted = fitHistory(newestFirst(3, 10, read), 100);
    expect(fitted).toMatchObject({ full: false });
    expect(fitted.messages.map((m) => m.id)).toEqual(['msg_0', 'msg_1', 'msg_2']);
  });

  it('estimates what the model never measured, at four characters a token', () => {
    const unmeasured = { ...message(0, 10), measured: null };
    // 49 characters: 13 tokens and 4 of message framing.
    expect(fitHistory([unmeasured], 16).full).toBe(true);
    expect(fitHistory([unmeasured], 17).messages).toHaveLength(1);
  });
});
