import { APICallError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/domain/models/call-errors';

const apiCallError = (statusCode: number, message: string, headers: Record<string, string> = {}) =>
  new APICallError({
    message,
    url: 'https://llm.example.com/v1/chat/completions',
    requestBodyValues: {},
    statusCode,
    responseHeaders: headers,
  });

describe('classifyError', () => {
  it('reads an API call error’s status, Retry-After and message', () => {
    expect(classifyError(apiCallError(429, 'Rate limit reached', { 'retry-after': '7' }))).toEqual({
      kind: 'rate_limited',
      message: 'Rate limit reached',
      status: 429,
      retryAfter: 7,
      retryable: true,
    });
    const retried = new RetryError({
      message: 'Failed after 2 attempts',
      reason: 'maxRetriesExceeded',
      errors: [apiCallError(500, 'first'), apiCallError(503, 'Overloaded')],
    });
    expect(classifyError(retried)).toMatchObject({
      kind: 'provider',
      message: 'Overloaded',
      retryable: true,
    });
  });

  it('puts a provider’s error object from a stream into words, with its type and code', () => {
    expect(
      classifyError({
        message: 'The model crashed mid-stream',
        type: 'server_error',
        param: null,
        code: null,
      }),
    ).toEqual({ kind: 'provider', message: 'The model crashed mid-stream (server_error)', retryable: true });
    expect(
      classifyError({ error: { message: 'Slow down', type: 'requests', code: 'rate_limit_exceeded' } }),
    ).toMatchObject({ kind: 'rate_limited', message: 'Slow down (requests, code rate_limit_exceeded)' });
    expect(classifyError({ type: 'overloaded_error', message: 'Overloaded' })).toMatchObject({
      kind: 'provider',
      message: 'Overloaded (overloaded_error)',
      retryable: true,
    });
    expect(classifyError({ error: { code: 400, message: 'Prompt too long' } })).toMatchObject({
      kind: 'invalid_request',
      message: 'Prompt too long (code 400)',
      status: 400,
    });
    expect(classifyError({ type: 'invalid_request_error' })).toMatchObject({
      kind: 'invalid_request',
      message: 'The provider reported an error (invalid_request_error)',
    });
  });

  it('keeps strings, follows an Error’s cause, and never answers "[object Object]"', () => {
    expect(classifyError('upstream said no')).toMatchObject({
      kind: 'provider',
      message: 'upstream said no',
    });
    const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.0.0.9:443') });
    expect(classifyError(refused)).toEqual({
      kind: 'provider',
      message: 'fetch failed (cause: connect ECONNREFUSED 10.0.0.9:443)',
      retryable: true,
    });
    for (const shape of [undefined, null, {}, { error: {} }, new Error('')]) {
      const { message } = classifyError(shape);
      expect(message).not.toMatch(/\[object Object\]|^undefined$|^null$|^$/);
    }
  });

  it('calls it cancelled when the caller’s signal fired, whatever the error', () => {
    const abort = new AbortController();
    abort.abort();
    expect(classifyError({ message: 'x' }, abort.signal)).toMatchObject({ kind: 'cancelled' });
  });
});
