import { APICallError, RetryError } from 'ai';
import { ApiError } from '../../lib/errors';
import { ProviderSetupError } from './language-model';

export type CallErrorKind =
  | 'budget_exceeded'
  | 'no_model'
  | 'provider'
  | 'rate_limited'
  | 'timeout'
  | 'cancelled'
  | 'invalid_request';

export interface CallError {
  kind: CallErrorKind;
  message: string;
  status?: number;
  retryAfter?: number;
  /** Worth trying the next model of the chain: 429, 5xx, a timeout, a refused connection. */
  retryable: boolean;
}

const MAX_MESSAGE = 500;
const short = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s);

const CONNECTION =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|fetch failed|network connection|connect(ion)? (refused|error)/i;

function retryAfterSeconds(headers: Record<string, string> | undefined): number | undefined {
  const raw = headers?.['retry-after'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * What went wrong with one attempt, in the gateway's words. `cancelled` means the caller's signal
 * fired; the attempt's own deadline is a `timeout`. Messages are the provider's (they carry no
 * request headers, so no key), cut short.
 */
export function classifyError(error: unknown, caller?: AbortSignal): CallError {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (caller?.aborted)
    return { kind: 'cancelled', message: 'The caller cancelled the call', retryable: false };
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode;
    const message = short(cause.message);
    if (status === 429)
      return {
        kind: 'rate_limited',
        message,
        status,
        retryAfter: retryAfterSeconds(cause.responseHeaders),
        retryable: true,
      };
    if (status === 408) return { kind: 'timeout', message, status, retryable: true };
    if (status !== undefined && status >= 500) return { kind: 'provider', message, status, retryable: true };
    if (status === 400 || status === 404 || status === 413 || status === 422)
      return { kind: 'invalid_request', message, status, retryable: false };
    if (status === undefined && CONNECTION.test(`${cause.message} ${String(cause.cause)}`))
      return { kind: 'provider', message, retryable: true };
    return { kind: 'provider', message, status, retryable: false };
  }
  if (cause instanceof ProviderSetupError)
    return { kind: 'provider', message: cause.message, retryable: false };
  if (cause instanceof ApiError)
    return { kind: 'invalid_request', message: short(cause.message), retryable: false };
  const name = cause instanceof Error ? cause.name : '';
  const message = short(cause instanceof Error ? cause.message : String(cause));
  if (name === 'TimeoutError' || name === 'AbortError')
    return { kind: 'timeout', message: 'The provider did not answer in time', retryable: true };
  if (CONNECTION.test(message)) return { kind: 'provider', message, retryable: true };
  return { kind: 'provider', message, retryable: false };
}
