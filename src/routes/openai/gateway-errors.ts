import type { GatewayPart } from '../../domain/models/gateway';
import { ApiError, type ProblemKind } from '../../lib/errors';
import { iso } from '../../lib/time';

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
  // A budget refusal names the budget as the 402 problem's members (see `budget_exceeded`).
  const extensions = part.budget && {
    scope: part.budget.scope,
    metric: part.budget.metric,
    limit: part.budget.limit,
    spent: part.budget.spent,
    resets_at: iso(part.budget.resetsAt),
  };
  return new ApiError(KINDS[part.kind], part.message, { headers, ...(extensions ? { extensions } : {}) });
}
