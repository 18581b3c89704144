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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * A provider's error object as its stream sends it (OpenAI-compatible `{message, type, code}`,
 * Anthropic `{type, message}`, either wrapped in `{error: …}`), unwrapped.
 */
function providerObject(v: unknown): Record<string, unknown> | null {
  if (!isRecord(v) || v instanceof Error) return null;
  return isRecord(v.error) && !(v.error instanceof Error) ? v.error : v;
}

/**
 * The words of any error the AI SDK hands over: an Error with the causes that say more, a
 * provider's error object with its type and code, a string. Never "[object Object]".
 */
export function describeError(error: unknown, depth = 0): string {
  if (error instanceof Error) {
    const own = text(error.message) ?? error.name;
    if (depth > 1 || error.cause === undefined) return own;
    const cause = describeError(error.cause, depth + 1);
    return own.includes(cause) ? own : `${own} (cause: ${cause})`;
  }
  const object = providerObject(error);
  if (object) {
    const label = [text(object.type), object.code == null ? null : `code ${String(object.code)}`]
      .filter(Boolean)
      .join(', ');
    const message = text(object.message) ?? text(object.detail);
    if (message) return label ? `${message} (${label})` : message;
    return label
      ? `The provider reported an error (${label})`
      : `The provider reported: ${JSON.stringify(object)}`;
  }
  return text(error) ?? 'The provider reported an error without saying what went wrong';
}

const RATE_LIMITED = /rate_limit|too_many|requests|quota/i;
const OVERLOADED = /overloaded|server_error|internal|unavailable|api_error/i;
const INVALID = /invalid_request|not_found|context_length|unprocessable/i;
const INVALID_STATUSES = new Set([400, 404, 413, 422]);

/** What a provider's error object (sent inside a stream, so with no HTTP status) amounts to. */
function classifyObject(object: Record<string, unknown>, message: string): CallError {
  const status = typeof object.code === 'number' ? object.code : undefined;
  const label = `${String(object.type ?? '')} ${String(object.code ?? '')}`;
  if (status === 429 || RATE_LIMITED.test(label))
    return { kind: 'rate_limited', message, status, retryable: true };
  if (/timeout/i.test(label)) return { kind: 'timeout', message, status, retryable: true };
  if ((status !== undefined && status >= 500) || OVERLOADED.test(label))
    return { kind: 'provider', message, status, retryable: true };
  if (INVALID.test(label) || (status !== undefined && INVALID_STATUSES.has(status)))
    return { kind: 'invalid_request', message, status, retryable: false };
  return { kind: 'provider', message, status, retryable: false };
}

function classifyApiCall(cause: APICallError): CallError {
  const status = cause.statusCode;
  const message = short(describeError(cause));
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
  if (status !== undefined && INVALID_STATUSES.has(status))
    return { kind: 'invalid_request', message, status, retryable: false };
  if (status === undefined && CONNECTION.test(`${cause.message} ${String(cause.cause)}`))
    return { kind: 'provider', message, retryable: true };
  return { kind: 'provider', message, status, retryable: false };
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
  if (APICallError.isInstance(cause)) return classifyApiCall(cause);
  if (cause instanceof ProviderSetupError)
    return { kind: 'provider', message: cause.message, retryable: false };
  if (cause instanceof ApiError)
    return { kind: 'invalid_request', message: short(cause.message), retryable: false };
  const message = short(describeError(cause));
  const object = providerObject(cause);
  if (object) return classifyObject(object, message);
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return { kind: 'timeout', message: 'The provider did not answer in time', retryable: true };
  if (CONNECTION.test(message)) return { kind: 'provider', message, retryable: true };
  return { kind: 'provider', message, retryable: false };
}
