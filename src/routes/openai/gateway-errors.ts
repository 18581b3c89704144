import type { GatewayPart } from '../../domain/models/gateway';
import { ApiError, type ProblemKind } from '../../lib/errors';

type ErrorPart = Extract<GatewayPart, { type: 'error' }>;

const KINDS: Record<ErrorPart['kind'], ProblemKind> = {
  budget_exceeded: 'budget_exceeded',
  no_model: 'not_found',
  rate_limited: 'rate_limited',
  invalid_request: 'bad_request',
  provider: 'provider_failed',
  timeout: 'provider_timeout',
  // Only when the client has gone away: nobody reads this answer.
  cancelled: 'provider_failed',
};

/** The problem a failed call answers before anything was streamed. */
export function gatewayProblem(part: ErrorPart): ApiError {
  const headers: Record<string, string> =
    part.retryAfter !== undefined ? { 'Retry-After': String(part.retryAfter) } : {};
  return new ApiError(KINDS[part.kind], part.message, { headers });
}
